import { expect } from 'chai';
import type { Client } from 'graphql-ws';
import { errorScenario, openAiStream, sseScenario, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { collectSubscription, graphqlHttp, wsClient } from '../helpers/graphql-client.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const COMPLETION = /* GraphQL */ `
  mutation Complete($input: ChatCompletionInput!) {
    createChatCompletion(input: $input) {
      id model provider
      choices { index finishReason message { role content reasoning toolCalls { id name arguments } } }
      usage { promptTokens completionTokens totalTokens }
    }
  }
`;

const STREAM = /* GraphQL */ `
  subscription Stream($input: ChatCompletionInput!) {
    chatCompletionStream(input: $input) {
      id provider model
      choices { index finishReason delta { role content reasoning } }
      usage { promptTokens completionTokens totalTokens }
    }
  }
`;

interface StreamChunk {
  chatCompletionStream: {
    provider: string;
    choices: { finishReason: string | null; delta: { role: string | null; content: string | null; reasoning: string | null } }[];
    usage: { totalTokens: number } | null;
  };
}

describe('GraphQL /graphql', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  let client: Client;

  beforeEach(async () => {
    upstream = await startFakeUpstream();
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url });
    client = wsClient(gateway.wsUrl);
  });
  afterEach(async () => {
    await client.dispose();
    await gateway.close();
    await upstream.close();
  });

  it('lists providers, models and health over HTTP', async () => {
    const result = await graphqlHttp<{
      providers: { id: string; status: string; configured: boolean }[];
      models: { id: string; upstreamId: string; contextLength: number }[];
      health: { status: string; providers: { id: string; status: string }[] };
    }>(gateway.url, '{ providers { id status configured } models { id upstreamId contextLength } health { status providers { id status } } }');
    expect(result.errors).to.equal(undefined);
    expect(result.data?.providers).to.deep.equal([
      { id: 'openrouter', status: 'AVAILABLE', configured: true },
      { id: 'deepseek', status: 'NOT_CONFIGURED', configured: false },
    ]);
    expect(result.data?.models).to.deep.equal([{ id: 'openrouter/test/model', upstreamId: 'test/model', contextLength: 8192 }]);
    expect(result.data?.health).to.deep.equal({
      status: 'OK',
      providers: [
        { id: 'openrouter', status: 'AVAILABLE' },
        { id: 'deepseek', status: 'NOT_CONFIGURED' },
      ],
    });
  });

  it('runs a completion through the mutation with camelCase inputs', async () => {
    const result = await graphqlHttp<{ createChatCompletion: { provider: string; choices: { finishReason: string; message: { role: string; content: string } }[]; usage: { totalTokens: number } } }>(
      gateway.url,
      COMPLETION,
      { input: { model: 'deepseek/deepseek-chat', messages: [{ role: 'SYSTEM', content: 'Be brief' }, { role: 'USER', content: 'Hi' }], maxTokens: 20, topP: 0.5 } },
    );
    expect(result.errors).to.equal(undefined);
    const completion = result.data?.createChatCompletion;
    expect(completion?.provider).to.equal('openrouter');
    expect(completion?.choices[0]).to.deep.include({ finishReason: 'STOP' });
    expect(completion?.choices[0]?.message).to.include({ role: 'ASSISTANT', content: 'Hello world' });
    expect(completion?.usage.totalTokens).to.equal(7);
    expect(upstream.requests[0]?.body).to.deep.include({
      model: 'deepseek/deepseek-chat',
      max_tokens: 20,
      top_p: 0.5,
      messages: [
        { role: 'system', content: 'Be brief' },
        { role: 'user', content: 'Hi' },
      ],
    });
  });

  it('rejects invalid input with the catalog code and the GraphQL field name', async () => {
    const result = await graphqlHttp(gateway.url, COMPLETION, { input: { model: 'm', messages: [{ role: 'USER', content: 'x' }], temperature: 9 } });
    expect(result.errors?.[0]?.extensions).to.include({ code: 'invalid_request', param: 'input.temperature', status: 400 });
    expect(upstream.requests).to.have.length(0);
  });

  it('rejects pass-through options that would steer the gateway', async () => {
    const result = await graphqlHttp(gateway.url, COMPLETION, {
      input: { model: 'm', messages: [{ role: 'USER', content: 'x' }], providerOptions: { base_url: 'http://attacker.example' } },
    });
    expect(result.errors?.[0]?.extensions).to.include({ code: 'invalid_request', param: 'input.providerOptions.base_url' });
    expect(upstream.requests).to.have.length(0);
  });

  it('passes allowed provider options through', async () => {
    const result = await graphqlHttp(gateway.url, COMPLETION, {
      input: { model: 'm', messages: [{ role: 'USER', content: 'x' }], providerOptions: { models: ['a/b'], provider: { sort: 'price' } } },
    });
    expect(result.errors).to.equal(undefined);
    expect(upstream.requests[0]?.body).to.deep.include({ models: ['a/b'], provider: { sort: 'price' } });
  });

  it('maps upstream errors to the same codes REST uses', async () => {
    upstream.enqueue(errorScenario(429, 'slow down', { 'retry-after': '5' }));
    const result = await graphqlHttp(gateway.url, COMPLETION, { input: { model: 'm', messages: [{ role: 'USER', content: 'x' }] } });
    expect(result.errors?.[0]?.extensions).to.include({ code: 'upstream_rate_limited', status: 429, retryable: true, retryAfterSeconds: 5, provider: 'openrouter' });
  });

  it('answers malformed GraphQL with invalid_request', async () => {
    const result = await graphqlHttp(gateway.url, '{ providers { id ');
    expect(result.errors?.[0]?.extensions?.code).to.equal('invalid_request');
  });

  it('starts GraphQL on its first use: WebSockets opened together on a fresh replica all get their streams', async () => {
    upstream.setDefault(() => sseScenario(openAiStream(['o', 'k'])));
    const clients = [wsClient(gateway.wsUrl), wsClient(gateway.wsUrl), wsClient(gateway.wsUrl)];
    try {
      const all = await Promise.all(clients.map((each) => collectSubscription<StreamChunk>(each, STREAM, { input: { model: 'm', messages: [{ role: 'USER', content: 'Hi' }] } })));
      for (const results of all) expect(results.map((result) => result.data?.chatCompletionStream.choices[0]?.delta.content ?? '').join('')).to.equal('ok');
    } finally {
      await Promise.all(clients.map((each) => each.dispose()));
    }
  });

  it('streams a completion over graphql-ws', async () => {
    upstream.enqueue(sseScenario(openAiStream(['Hel', 'lo'], { reasoning: ['hmm'] })));
    const results = await collectSubscription<StreamChunk>(client, STREAM, { input: { model: 'm', messages: [{ role: 'USER', content: 'Hi' }] } });
    const chunks = results.map((result) => result.data?.chatCompletionStream);
    expect(results.every((result) => result.errors === undefined)).to.equal(true);
    expect(chunks[0]?.choices[0]?.delta.role).to.equal('ASSISTANT');
    expect(chunks.map((chunk) => chunk?.choices[0]?.delta.content ?? '').join('')).to.equal('Hello');
    expect(chunks.map((chunk) => chunk?.choices[0]?.delta.reasoning ?? '').join('')).to.equal('hmm');
    expect(chunks.at(-1)?.choices[0]?.finishReason).to.equal('STOP');
    expect(chunks.at(-1)?.usage?.totalTokens).to.equal(7);
    expect(chunks.every((chunk) => chunk?.provider === 'openrouter')).to.equal(true);
  });

  it('ends a stream that fails midway with an error carrying the catalog code', async () => {
    upstream.enqueue(sseScenario(openAiStream(['partial'], { finishReason: null, usage: null, done: false })));
    const results = await collectSubscription<StreamChunk>(client, STREAM, { input: { model: 'm', messages: [{ role: 'USER', content: 'Hi' }] } });
    const last = results.at(-1);
    expect(results.slice(0, -1).map((result) => result.data?.chatCompletionStream.choices[0]?.delta.content ?? '').join('')).to.equal('partial');
    expect(last?.errors?.[0]?.extensions).to.include({ code: 'upstream_stream_truncated', provider: 'openrouter' });
  });

  it('reports an upstream failure before the first token as an error event', async () => {
    upstream.enqueue(errorScenario(401, 'bad key'));
    const results = await collectSubscription<StreamChunk>(client, STREAM, { input: { model: 'm', messages: [{ role: 'USER', content: 'Hi' }] } });
    expect(results).to.have.length(1);
    expect(results[0]?.errors?.[0]?.extensions).to.include({ code: 'upstream_auth_failed', status: 502 });
  });

  it('completing the subscription aborts the upstream request within a second', async () => {
    upstream.enqueue(sseScenario(openAiStream(Array.from({ length: 200 }, (_, i) => `t${i} `)), 50));
    let unsubscribe: () => void = () => undefined;
    const firstChunk = new Promise<void>((resolve, reject) => {
      unsubscribe = client.subscribe(
        { query: STREAM, variables: { input: { model: 'm', messages: [{ role: 'USER', content: 'long' }] } } },
        { next: () => resolve(), error: reject, complete: () => undefined },
      );
    });
    await firstChunk;
    const completedAt = Date.now();
    unsubscribe();
    const abort = await upstream.waitForAbort(1000);
    expect(abort.at - completedAt).to.be.below(1000);
  });

  it('closing the socket aborts the upstream request within a second', async () => {
    upstream.enqueue(sseScenario(openAiStream(Array.from({ length: 200 }, (_, i) => `t${i} `)), 50));
    await new Promise<void>((resolve, reject) => {
      client.subscribe(
        { query: STREAM, variables: { input: { model: 'm', messages: [{ role: 'USER', content: 'long' }] } } },
        { next: () => resolve(), error: () => undefined, complete: () => undefined },
      );
      setTimeout(() => reject(new Error('no chunk')), 2000);
    });
    const closedAt = Date.now();
    await client.dispose();
    const abort = await upstream.waitForAbort(1000);
    expect(abort.at - closedAt).to.be.below(1000);
  });
});
