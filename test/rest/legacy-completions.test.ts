import { expect } from 'chai';
import OpenAI from 'openai';
import { chunkEvent, errorScenario, sseScenario, type Scenario } from '../helpers/fake-upstream.js';
import { postJson } from '../helpers/http.js';
import { gatewayPerTest, threeProvidersPerTest } from '../helpers/per-test-setup.js';

const BASE = { id: 'cmpl-1', object: 'text_completion', created: 1_700_000_000, model: 'gpt-3.5-turbo-instruct' };

function textCompletion(text: string, extra: Record<string, unknown> = {}): Scenario {
  return {
    headers: { 'content-type': 'application/json' },
    pieces: [JSON.stringify({ ...BASE, choices: [{ text, index: 0, logprobs: null, finish_reason: 'stop' }], usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 }, ...extra })],
  };
}

function textStream(pieces: string[], options: { finish?: boolean } = {}): string[] {
  const events = pieces.map((text) => chunkEvent({ ...BASE, choices: [{ text, index: 0, logprobs: null, finish_reason: null }] }));
  if (options.finish === false) return events;
  return [
    ...events,
    chunkEvent({ ...BASE, choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }] }),
    chunkEvent({ ...BASE, choices: [], usage: { prompt_tokens: 4, completion_tokens: pieces.length, total_tokens: 4 + pieces.length } }),
    'data: [DONE]\n\n',
  ];
}

describe('legacy completions (/v1/completions)', () => {
  const setup = gatewayPerTest();
  const client = () => new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const completionCalls = () => setup.upstream.requests.filter((request) => request.path.endsWith('/completions') && !request.path.endsWith('/chat/completions'));

  it('passes a completion through both ways with the official SDK: the body as sent, the answer as received', async () => {
    setup.upstream.enqueue(textCompletion(' world', { system_fingerprint: 'fp_1', provider: 'OpenAI' }));
    const completion = await client().completions.create({ model: 'openai/gpt-3.5-turbo-instruct', prompt: 'Hello', max_tokens: 5, suffix: '!', echo: false, logprobs: 2 });
    expect(completion.choices[0]?.text).to.equal(' world');
    expect(completion).to.deep.include({ id: 'cmpl-1', system_fingerprint: 'fp_1', provider: 'OpenAI' });
    expect(completion.usage).to.deep.equal({ prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 });
    expect(completionCalls()[0]?.body).to.deep.equal({ model: 'openai/gpt-3.5-turbo-instruct', prompt: 'Hello', max_tokens: 5, suffix: '!', echo: false, logprobs: 2, stream: false });
  });

  it('streams the provider’s chunks unchanged, keeping back the usage chunk the client did not ask for', async () => {
    setup.upstream.enqueue(sseScenario(textStream(['Hel', 'lo'])));
    const stream = await client().completions.create({ model: 'm', prompt: 'Say hello', stream: true });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.text ?? '').join('')).to.equal('Hello');
    expect(chunks.every((chunk) => chunk.usage === undefined)).to.equal(true);
    expect(completionCalls()[0]?.body).to.deep.include({ stream: true, stream_options: { include_usage: true } });
    const usage = (await (await fetch(`${setup.gateway.url}/v1/usage?model=m`)).json()) as { totals: { requests: number; completion_tokens: number } };
    expect(usage.totals).to.include({ requests: 1, completion_tokens: 2 });
  });

  it('passes the usage chunk on when the client asks for it', async () => {
    setup.upstream.enqueue(sseScenario(textStream(['a'])));
    const stream = await client().completions.create({ model: 'm', prompt: 'x', stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.Completion[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.usage).to.deep.equal({ prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 });
  });

  it('ends a stream cut after its first chunk with an error event, and aborts the upstream when the client leaves', async () => {
    setup.upstream.enqueue(sseScenario(textStream(['Partial'], { finish: false })));
    const cut = await postJson(`${setup.gateway.url}/v1/completions`, { model: 'm', prompt: 'x', stream: true });
    const text = await cut.text();
    expect(text).to.include('"text":"Partial"');
    expect(text).to.include('"code":"upstream_stream_truncated"');
    expect(text).not.to.include('[DONE]');

    setup.upstream.enqueue(sseScenario(textStream(['one', 'two', 'three']), 300, true));
    const leaving = new AbortController();
    const response = await fetch(`${setup.gateway.url}/v1/completions`, { method: 'POST', signal: leaving.signal, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', prompt: 'x', stream: true }) });
    const reader = response.body!.getReader();
    await reader.read();
    leaving.abort();
    await setup.upstream.waitForAbort(2_000);
  });

  it('refuses fields that would steer the gateway, and a missing prompt, with 400', async () => {
    const steering = await postJson(`${setup.gateway.url}/v1/completions`, { model: 'm', prompt: 'x', base_url: 'https://evil.example' });
    expect(steering.status).to.equal(400);
    const missing = await postJson(`${setup.gateway.url}/v1/completions`, { model: 'm' });
    expect(missing.status).to.equal(400);
    expect(((await missing.json()) as { error: { param: string } }).error.param).to.equal('prompt');
    expect(setup.upstream.requests).to.have.length(0);
  });
});

describe('legacy completions with output filters on', () => {
  const setup = gatewayPerTest({ OUTPUT_REDACT: 'email' });

  it('is refused, because a body passed through cannot be filtered', async () => {
    const response = await postJson(`${setup.gateway.url}/v1/completions`, { model: 'm', prompt: 'x' });
    expect(response.status).to.equal(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).to.include('output filters');
    expect(setup.upstream.requests).to.have.length(0);
  });
});

describe('legacy completions across providers', () => {
  const setup = threeProvidersPerTest({ RETRY_MAX_ATTEMPTS: '1' });

  it('skips DeepSeek, which serves none at its base URL, and falls back before the first chunk', async () => {
    const deepseekOnly = await postJson(`${setup.gateway.url}/v1/completions`, { model: 'deepseek/deepseek-chat', prompt: 'x' });
    expect(deepseekOnly.status).to.equal(404);
    expect(((await deepseekOnly.json()) as { error: { message: string } }).error.message).to.include('legacy text completions');
    setup.upstreams.openrouter!.enqueue(errorScenario(503, 'busy'));
    setup.upstreams.local!.enqueue(sseScenario(textStream(['from local'])));
    const response = await postJson(`${setup.gateway.url}/v1/completions`, { model: 'deepseek-chat', prompt: 'x', stream: true });
    expect(response.headers.get('x-gateway-provider')).to.equal('local');
    expect(await response.text()).to.include('"text":"from local"');
    expect(setup.upstreams.deepseek!.requests).to.have.length(0);
  });
});
