import { expect } from 'chai';
import OpenAI from 'openai';
import { errorScenario, openAiEmbeddings } from '../helpers/fake-upstream.js';
import { graphqlHttp } from '../helpers/graphql-client.js';
import { postJson } from '../helpers/http.js';
import { gatewayPerTest, threeProvidersPerTest } from '../helpers/per-test-setup.js';

describe('embeddings', () => {
  const setup = gatewayPerTest();
  const client = () => new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const embeddingCalls = () => setup.upstream.requests.filter((request) => request.path.endsWith('/embeddings'));

  it('embeds one input and many with the official SDK, passing the provider’s fields through', async () => {
    setup.upstream.enqueue(openAiEmbeddings(2, { provider: 'OpenAI' }));
    const response = await client().embeddings.create({ model: 'openai/text-embedding-3-small', input: ['first', 'second'], dimensions: 3, encoding_format: 'float' });
    expect(response.data.map((item) => item.index)).to.deep.equal([0, 1]);
    expect(response.data[0]?.embedding).to.deep.equal([0.1, -0.2, 0.3]);
    expect(response.usage).to.include({ prompt_tokens: 6, total_tokens: 6 });
    expect((response as unknown as { provider: string }).provider).to.equal('OpenAI');
    expect(embeddingCalls()[0]?.body).to.deep.include({ model: 'openai/text-embedding-3-small', input: ['first', 'second'], dimensions: 3, encoding_format: 'float' });
  });

  it('caches embeddings by default: the same input again is a hit without a call', async () => {
    const body = { model: 'm', input: 'cache me' };
    const first = await postJson(`${setup.gateway.url}/v1/embeddings`, body);
    expect(first.headers.get('x-cache')).to.equal('MISS');
    const second = await postJson(`${setup.gateway.url}/v1/embeddings`, body);
    expect(second.headers.get('x-cache')).to.equal('HIT');
    expect(((await second.json()) as { x_gateway: { attempts: number } }).x_gateway.attempts).to.equal(0);
    expect(embeddingCalls()).to.have.length(1);
  });

  it('records usage for embeddings', async () => {
    await postJson(`${setup.gateway.url}/v1/embeddings`, { model: 'emb-usage', input: ['a', 'b', 'c'] });
    const usage = (await (await fetch(`${setup.gateway.url}/v1/usage?model=emb-usage`)).json()) as { totals: { requests: number; prompt_tokens: number } };
    expect(usage.totals).to.include({ requests: 1, prompt_tokens: 9 });
  });

  it('answers a bad input with 400 naming the field, and refuses fields that would steer the gateway', async () => {
    const bad = await postJson(`${setup.gateway.url}/v1/embeddings`, { model: 'm', input: 42 });
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).to.equal('input');
    const steering = await postJson(`${setup.gateway.url}/v1/embeddings`, { model: 'm', input: 'x', base_url: 'https://evil.example' });
    expect(steering.status).to.equal(400);
    expect(embeddingCalls()).to.have.length(0);
  });

  it('is served over GraphQL too, with generated types', async () => {
    const result = await graphqlHttp<{ createEmbeddings: { provider: string; data: { index: number; embedding: number[] }[]; usage: { promptTokens: number } } }>(
      setup.gateway.url,
      'mutation($input: EmbeddingsInput!) { createEmbeddings(input: $input) { provider data { index embedding } usage { promptTokens } } }',
      { input: { model: 'm', input: ['one', 'two'], encodingFormat: 'FLOAT' } },
    );
    expect(result.errors).to.equal(undefined);
    expect(result.data?.createEmbeddings.provider).to.equal('openrouter');
    expect(result.data?.createEmbeddings.data.map((item) => item.index)).to.deep.equal([0, 1]);
    expect(embeddingCalls()[0]?.body?.encoding_format).to.equal('float');
  });

  it('aborts the upstream call when the client leaves', async () => {
    setup.upstream.enqueue({ ...openAiEmbeddings(1), headerDelayMs: 2_000 });
    const leaving = new AbortController();
    const pending = fetch(`${setup.gateway.url}/v1/embeddings`, { method: 'POST', signal: leaving.signal, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', input: 'slow' }) }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    leaving.abort();
    await pending;
    await setup.upstream.waitForAbort(1_000);
  });
});

describe('embeddings across providers', () => {
  const setup = threeProvidersPerTest({ RETRY_MAX_ATTEMPTS: '1' });

  it('skips a provider that serves no embeddings, with a clear error when nothing else can', async () => {
    const response = await postJson(`${setup.gateway.url}/v1/embeddings`, { model: 'deepseek/deepseek-chat', input: 'x' });
    expect(response.status).to.equal(404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).to.equal('model_not_found');
    expect(body.error.message).to.include('serves embeddings');
    expect(setup.upstreams.deepseek!.requests).to.have.length(0);
  });

  it('falls back along a chain for embeddings as for chat', async () => {
    setup.upstreams.openrouter!.enqueue(errorScenario(503, 'busy'));
    // The chain for deepseek-chat: deepseek (no embeddings, skipped), openrouter (fails), local (serves).
    const response = await postJson(`${setup.gateway.url}/v1/embeddings`, { model: 'deepseek-chat', input: 'x' });
    expect(response.status).to.equal(200);
    expect(response.headers.get('x-gateway-provider')).to.equal('local');
    expect(((await response.json()) as { x_gateway: { attempts: number } }).x_gateway.attempts).to.equal(2);
  });
});
