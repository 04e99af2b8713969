import { expect } from 'chai';
import { errorScenario, openAiStream, sseScenario } from '../helpers/fake-upstream.js';
import { collectSubscription, wsClient } from '../helpers/graphql-client.js';
import { postCompletion, startMultiProviderGateway, THREE_PROVIDER_CHAIN, type MultiProviderSetup } from '../helpers/multi-provider-gateway.js';

interface CompletionBody {
  /** The gateway's own facts; the body's `provider` is the upstream's. */
  x_gateway: { provider: string; attempts: number };
  model: string;
  choices: { message: { content: string } }[];
  error?: { code: string; message: string };
}

const chatPaths = (setup: MultiProviderSetup, id: string) => setup.upstreams[id]!.requests.filter((request) => request.path.endsWith('/chat/completions'));

describe('fallback chains across three providers', () => {
  let setup: MultiProviderSetup;

  beforeEach(async () => {
    setup = await startMultiProviderGateway(THREE_PROVIDER_CHAIN, { RETRY_MAX_ATTEMPTS: '2' });
  });
  afterEach(() => setup.close());

  it('serves from the first target when it is healthy', async () => {
    const response = await postCompletion(setup.gateway.url, { model: 'deepseek-chat' });
    const body = (await response.json()) as CompletionBody;
    expect(body.x_gateway.provider).to.equal('deepseek');
    expect(body.x_gateway.attempts).to.equal(1);
    expect(response.headers.get('x-gateway-provider')).to.equal('deepseek');
    expect(chatPaths(setup, 'deepseek')[0]?.body?.model).to.equal('deepseek-chat');
  });

  it('retries a retryable failure on the same provider, then succeeds', async () => {
    setup.upstreams.deepseek!.enqueue(errorScenario(503, 'Server overloaded'));
    const body = (await (await postCompletion(setup.gateway.url, { model: 'deepseek-chat' })).json()) as CompletionBody;
    expect(body.x_gateway.provider).to.equal('deepseek');
    expect(body.x_gateway.attempts).to.equal(2);
    expect(chatPaths(setup, 'openrouter')).to.have.length(0);
  });

  it('walks the whole chain when providers keep failing, and reports the attempts', async () => {
    setup.upstreams.deepseek!.setDefault(() => errorScenario(500, 'internal'));
    setup.upstreams.openrouter!.setDefault(() => errorScenario(502, 'Provider returned error'));
    const response = await postCompletion(setup.gateway.url, { model: 'deepseek-chat' });
    const body = (await response.json()) as CompletionBody;
    expect(response.status).to.equal(200);
    expect(body.x_gateway.provider).to.equal('local');
    expect(body.x_gateway.attempts).to.equal(5);
    expect(chatPaths(setup, 'deepseek')).to.have.length(2);
    expect(chatPaths(setup, 'openrouter')).to.have.length(2);
    expect(chatPaths(setup, 'openrouter')[0]?.body?.model).to.equal('deepseek/deepseek-chat');
    expect(chatPaths(setup, 'local')[0]?.body?.model).to.equal('llama-3.1-8b');
    expect(chatPaths(setup, 'local')[0]?.headers.authorization).to.equal('Bearer sk-local-canary-l0cal-3333');
  });

  it('falls back without retrying when a provider refuses its key', async () => {
    setup.upstreams.deepseek!.enqueue(errorScenario(401, 'Authentication Fails'));
    const body = (await (await postCompletion(setup.gateway.url, { model: 'deepseek-chat' })).json()) as CompletionBody;
    expect(body.x_gateway.provider).to.equal('openrouter');
    expect(chatPaths(setup, 'deepseek')).to.have.length(1);
  });

  it('neither retries nor falls back when the request itself is bad', async () => {
    setup.upstreams.deepseek!.enqueue(errorScenario(400, 'Invalid max_tokens value'));
    const response = await postCompletion(setup.gateway.url, { model: 'deepseek-chat' });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as CompletionBody).error?.code).to.equal('upstream_bad_request');
    expect(chatPaths(setup, 'deepseek')).to.have.length(1);
    expect(chatPaths(setup, 'openrouter')).to.have.length(0);
  });

  it('moves on instead of waiting when Retry-After is longer than RETRY_MAX_RETRY_AFTER_MS', async () => {
    setup.upstreams.deepseek!.enqueue(errorScenario(429, 'Rate limit reached', { 'retry-after': '120' }));
    const started = Date.now();
    const body = (await (await postCompletion(setup.gateway.url, { model: 'deepseek-chat' })).json()) as CompletionBody;
    expect(body.x_gateway.provider).to.equal('openrouter');
    expect(Date.now() - started).to.be.below(1000);
  });

  it('honours a short Retry-After before retrying the same provider', async () => {
    setup.upstreams.deepseek!.enqueue(errorScenario(429, 'Rate limit reached', { 'retry-after': '1' }));
    const started = Date.now();
    const body = (await (await postCompletion(setup.gateway.url, { model: 'deepseek-chat' })).json()) as CompletionBody;
    expect(body.x_gateway.provider).to.equal('deepseek');
    expect(body.x_gateway.attempts).to.equal(2);
    expect(Date.now() - started).to.be.at.least(950);
  });

  it('resolves aliases and bare model names a provider declares', async () => {
    const viaAlias = (await (await postCompletion(setup.gateway.url, { model: 'fast' })).json()) as CompletionBody;
    expect(viaAlias.x_gateway.provider).to.equal('local');
    const bare = (await (await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' })).json()) as CompletionBody;
    expect(bare.x_gateway.provider).to.equal('deepseek');
    const explicit = (await (await postCompletion(setup.gateway.url, { model: 'openrouter/deepseek/deepseek-chat' })).json()) as CompletionBody;
    expect(explicit.x_gateway.provider).to.equal('openrouter');
    expect(chatPaths(setup, 'openrouter')[0]?.body?.model).to.equal('deepseek/deepseek-chat');
  });

  it('answers 404 model_not_found before any upstream call for a model a provider does not list', async () => {
    const response = await postCompletion(setup.gateway.url, { model: 'local/gpt-5' });
    // `local` does not list gpt-5, so it is not an explicit route; OpenRouter (the default) is asked.
    expect(response.status).to.equal(200);
    const strict = await startMultiProviderGateway(THREE_PROVIDER_CHAIN, { DEFAULT_PROVIDER: 'local' });
    try {
      const rejected = await postCompletion(strict.gateway.url, { model: 'gpt-5' });
      expect(rejected.status).to.equal(404);
      expect(((await rejected.json()) as CompletionBody).error?.code).to.equal('model_not_found');
      expect(Object.values(strict.upstreams).flatMap((upstream) => upstream.requests)).to.have.length(0);
    } finally {
      await strict.close();
    }
  });

  it('falls back transparently when a stream fails before its first token', async () => {
    setup.upstreams.deepseek!.enqueue(errorScenario(503, 'busy'), errorScenario(503, 'busy'));
    setup.upstreams.openrouter!.enqueue(sseScenario([': OPENROUTER PROCESSING\n\n', `data: ${JSON.stringify({ error: { code: 502, message: 'upstream died' } })}\n\n`]));
    setup.upstreams.openrouter!.enqueue(sseScenario(openAiStream(['never'], { finishReason: null, usage: null, done: false }).slice(0, 1)));
    setup.upstreams.local!.enqueue(sseScenario(openAiStream(['from', ' local'])));
    const response = await postCompletion(setup.gateway.url, { model: 'deepseek-chat', stream: true });
    const text = await response.text();
    expect(response.headers.get('x-gateway-provider')).to.equal('local');
    expect(response.headers.get('x-gateway-attempts')).to.equal('5');
    const contents = text
      .split('\n\n')
      .filter((event) => event.startsWith('data: {'))
      .map((event) => JSON.parse(event.slice(6)) as { x_gateway: { provider: string }; choices: { delta: { content?: string } }[] });
    expect(contents.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).to.equal('from local');
    expect(contents.every((chunk) => chunk.x_gateway.provider === 'local')).to.equal(true);
    expect(text.trimEnd().endsWith('data: [DONE]')).to.equal(true);
  });

  it('falls back from a provider that fails after a role chunk carrying fields of its own, before its first token', async () => {
    // As DeepSeek and OpenRouter open a stream: the role chunk carries `logprobs` (and OpenRouter's
    // `native_finish_reason`) beside the role, fields the gateway passes on and does not own.
    const roleChunk = (provider: string) =>
      `data: ${JSON.stringify({ id: `gen-${provider}`, provider, object: 'chat.completion.chunk', created: 1_700_000_000, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, native_finish_reason: null, logprobs: null }] })}\n\n`;
    const cutAfterRole = sseScenario([roleChunk('deepseek')]);
    const errorAfterRole = sseScenario([roleChunk('openrouter'), `data: ${JSON.stringify({ error: { code: 'server_error', message: 'Provider disconnected unexpectedly' }, choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }] })}\n\n`]);
    setup.upstreams.deepseek!.enqueue(cutAfterRole, cutAfterRole);
    setup.upstreams.openrouter!.enqueue(errorAfterRole, errorAfterRole);
    setup.upstreams.local!.enqueue(sseScenario(openAiStream(['from', ' local'])));
    const response = await postCompletion(setup.gateway.url, { model: 'deepseek-chat', stream: true });
    const text = await response.text();
    expect(response.status).to.equal(200);
    expect(response.headers.get('x-gateway-provider')).to.equal('local');
    expect(response.headers.get('x-gateway-attempts')).to.equal('5');
    expect(text).not.to.include('native_finish_reason');
    expect(text).not.to.include('gen-deepseek');
    expect(text).to.include('"content":"from"');
    expect(text.trimEnd().endsWith('data: [DONE]')).to.equal(true);
  });

  it('never retries once the first token went out: the stream ends with an error event', async () => {
    setup.upstreams.deepseek!.enqueue(sseScenario(openAiStream(['Partial', ' answer'], { finishReason: null, usage: null, done: false })));
    const response = await postCompletion(setup.gateway.url, { model: 'deepseek-chat', stream: true });
    const text = await response.text();
    expect(text).to.include('"content":"Partial"');
    expect(text).to.include('"code":"upstream_stream_truncated"');
    expect(text).not.to.include('[DONE]');
    expect(chatPaths(setup, 'deepseek')).to.have.length(1);
    expect(chatPaths(setup, 'openrouter')).to.have.length(0);
  });

  it('reports a mid-stream failure over GraphQL in the same shape', async () => {
    setup.upstreams.deepseek!.enqueue(sseScenario(openAiStream(['Partial'], { finishReason: null, usage: null, done: false })));
    const client = wsClient(setup.gateway.wsUrl);
    try {
      const results = await collectSubscription<{ chatCompletionStream: { provider: string; choices: { delta: { content: string | null } }[] } }>(
        client,
        'subscription($input: ChatCompletionInput!) { chatCompletionStream(input: $input) { provider attempts choices { delta { content } } } }',
        { input: { model: 'deepseek-chat', messages: [{ role: 'USER', content: 'Hi' }] } },
      );
      expect(results.at(-1)?.errors?.[0]?.extensions).to.include({ code: 'upstream_stream_truncated', provider: 'deepseek' });
      expect(chatPaths(setup, 'openrouter')).to.have.length(0);
    } finally {
      await client.dispose();
    }
  });
});

describe('provider management', () => {
  let setup: MultiProviderSetup;

  beforeEach(async () => {
    setup = await startMultiProviderGateway(THREE_PROVIDER_CHAIN);
  });
  afterEach(() => setup.close());

  it('a disabled provider is skipped by fallback chains and rejected when addressed alone', async () => {
    const disabled = await fetch(`${setup.gateway.url}/v1/providers/deepseek/disable`, { method: 'POST' });
    expect(await disabled.json()).to.deep.include({ id: 'deepseek', enabled: false, status: 'disabled' });
    const viaChain = (await (await postCompletion(setup.gateway.url, { model: 'deepseek-chat' })).json()) as CompletionBody;
    expect(viaChain.x_gateway.provider).to.equal('openrouter');
    const direct = await postCompletion(setup.gateway.url, { model: 'deepseek-reasoner' });
    expect(direct.status).to.equal(503);
    expect(((await direct.json()) as CompletionBody).error?.code).to.equal('provider_disabled');
    expect(chatPaths(setup, 'deepseek')).to.have.length(0);

    await fetch(`${setup.gateway.url}/v1/providers/deepseek/enable`, { method: 'POST' });
    const again = (await (await postCompletion(setup.gateway.url, { model: 'deepseek-chat' })).json()) as CompletionBody;
    expect(again.x_gateway.provider).to.equal('deepseek');
  });

  it('answers 404 not_found for an unknown provider id', async () => {
    const response = await fetch(`${setup.gateway.url}/v1/providers/nope/health`);
    expect(response.status).to.equal(404);
    expect(((await response.json()) as CompletionBody).error?.code).to.equal('not_found');
  });

  it('checks provider health against the free model list at most once per interval', async () => {
    const bodies = await Promise.all(Array.from({ length: 5 }, () => fetch(`${setup.gateway.url}/v1/providers/local/health`).then((r) => r.json())));
    expect(bodies[0]).to.deep.include({ id: 'local', status: 'available', breaker_state: 'closed', reachable: true, error_code: null });
    expect(setup.upstreams.local!.requests.filter((request) => request.path.endsWith('/models'))).to.have.length(1);
    expect(setup.upstreams.local!.requests.filter((request) => request.path.endsWith('/chat/completions'))).to.have.length(0);
  });

  it('exposes the same through GraphQL', async () => {
    const response = await fetch(`${setup.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation { setProviderEnabled(id: "local", enabled: false) { id enabled status breakerState } }',
      }),
    });
    const body = (await response.json()) as { data: { setProviderEnabled: unknown } };
    expect(body.data.setProviderEnabled).to.deep.equal({ id: 'local', enabled: false, status: 'DISABLED', breakerState: 'CLOSED' });
    const health = await fetch(`${setup.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ providerHealth(id: "openrouter") { id status reachable } }' }),
    });
    expect(((await health.json()) as { data: unknown }).data).to.deep.equal({ providerHealth: { id: 'openrouter', status: 'AVAILABLE', reachable: true } });
  });
});
