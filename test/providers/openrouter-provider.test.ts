import { expect } from 'chai';
import nock from 'nock';
import { loadConfig } from '../../src/config/load-config.js';
import { createHttpAgents } from '../../src/providers/http/http-agents.js';
import { createOpenRouterProvider } from '../../src/providers/openrouter/create-openrouter-provider.js';
import type { LlmProvider, StreamPart } from '../../src/providers/types.js';
import { inPieces, readFixture } from '../helpers/fixtures.js';
import { replayWithNock } from '../helpers/nock-suite.js';

const BASE = 'https://openrouter.test';
const KEY = 'sk-or-v1-unit-test-canary';

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const result: StreamPart[] = [];
  for await (const part of parts) result.push(part);
  return result;
}

function text(parts: StreamPart[], type: 'text-delta' | 'reasoning-delta'): string {
  return parts.map((part) => (part.type === type ? part.delta : '')).join('');
}

describe('OpenRouter provider replaying recorded streams', () => {
  const agents = createHttpAgents(8);
  let provider: LlmProvider;
  const request = { model: 'deepseek/deepseek-chat', messages: [{ role: 'user' as const, content: 'Hi' }] };
  const options = () => ({ signal: new AbortController().signal, requestId: 'req-1' });

  replayWithNock();
  after(() => agents.destroy());
  beforeEach(() => {
    const config = loadConfig({ OPENROUTER_API_KEY: KEY, OPENROUTER_BASE_URL: `${BASE}/api/v1` });
    provider = createOpenRouterProvider(config.providers.find((entry) => entry.id === 'openrouter')!, agents);
  });

  function replay(fixture: string, pieceSize = 4096): nock.Scope {
    return nock(BASE)
      .post('/api/v1/chat/completions')
      .reply(200, () => inPieces(readFixture(`openrouter/${fixture}`), pieceSize), { 'content-type': 'text/event-stream' });
  }

  it('ignores ": OPENROUTER PROCESSING" comments and reads usage from its own chunk', async () => {
    replay('processing-comments-and-usage-chunk.sse');
    const parts = await collect(provider.stream(request, options()));
    // OpenRouter's own fields (the backend that served it) travel on as the provider sent them.
    expect(parts[0]).to.deep.equal({
      type: 'response-metadata',
      id: 'gen-1732000000-Xy12',
      model: 'deepseek/deepseek-chat',
      created: 1732000000,
      extra: { provider: 'DeepSeek', system_fingerprint: null },
    });
    expect(text(parts, 'text-delta')).to.equal('Hello 👋 there');
    const finish = parts.at(-1);
    expect(finish).to.deep.include({ type: 'finish', finishReason: 'stop' });
    expect(finish?.type === 'finish' && finish.usage).to.deep.include({ promptTokens: 10, completionTokens: 3, totalTokens: 13, cachedTokens: 4, reasoningTokens: 0, cost: 0.0000042 });
    expect(finish?.type === 'finish' && finish.usage?.wire).to.deep.include({ prompt_tokens: 10, cost: 0.0000042 });
  });

  for (const size of [1, 7, 64]) {
    it(`reassembles events split across ${size}-byte reads, multi-byte characters included`, async () => {
      replay('processing-comments-and-usage-chunk.sse', size);
      const parts = await collect(provider.stream(request, options()));
      expect(text(parts, 'text-delta')).to.equal('Hello 👋 there');
      expect(parts.at(-1)?.type).to.equal('finish');
    });
  }

  it('turns an error event on an HTTP 200 into a final error part after the tokens', async () => {
    replay('mid-stream-error-event.sse');
    const parts = await collect(provider.stream(request, options()));
    expect(text(parts, 'text-delta')).to.equal('Partial');
    const last = parts.at(-1);
    expect(last?.type).to.equal('error');
    if (last?.type === 'error') {
      expect(last.error.code).to.equal('upstream_stream_error');
      expect(last.error.message).to.include('Provider disconnected unexpectedly');
    }
  });

  it('reports a stream that ends with neither [DONE] nor a finish reason as truncated, never as a success', async () => {
    replay('truncated-without-done.sse');
    const parts = await collect(provider.stream(request, options()));
    expect(text(parts, 'text-delta')).to.equal('Once upon a time');
    expect(parts.some((part) => part.type === 'finish')).to.equal(false);
    const last = parts.at(-1);
    expect(last?.type === 'error' && last.error.code).to.equal('upstream_stream_truncated');
  });

  it('accepts a stream with a finish reason but no [DONE]', async () => {
    replay('finish-without-done.sse');
    const parts = await collect(provider.stream(request, options()));
    const finish = parts.at(-1);
    expect(finish).to.deep.include({ type: 'finish', finishReason: 'length' });
    expect(finish?.type === 'finish' && finish.usage).to.deep.include({ promptTokens: 2, completionTokens: 1, totalTokens: 3 });
    // OpenRouter's provider-native reason is not the gateway's to interpret: it travels on.
    expect(finish?.type === 'finish' && finish.extra?.choice).to.deep.include({ native_finish_reason: 'max_tokens' });
  });

  it('surfaces reasoning deltas and reasoning token usage', async () => {
    replay('reasoning-deltas.sse');
    const parts = await collect(provider.stream(request, options()));
    expect(text(parts, 'reasoning-delta')).to.equal('Let me think. 2+2=4.');
    expect(text(parts, 'text-delta')).to.equal('4');
    const last = parts.at(-1);
    expect(last?.type === 'finish' && last.usage?.reasoningTokens).to.equal(9);
  });

  it('streams tool call fragments with their index', async () => {
    replay('tool-call-fragments.sse');
    const parts = await collect(provider.stream(request, options()));
    const calls = parts.filter((part) => part.type === 'tool-call-delta');
    expect(calls[0]).to.deep.equal({ type: 'tool-call-delta', index: 0, id: 'call_abc', name: 'get_weather', argumentsDelta: '' });
    expect(calls.map((part) => (part.type === 'tool-call-delta' ? part.argumentsDelta : '')).join('')).to.equal('{"city":"Oslo"}');
    expect(parts.at(-1)).to.deep.include({ type: 'finish', finishReason: 'tool_calls' });
  });

  it('throws before the first part when the upstream refuses the request', async () => {
    nock(BASE).post('/api/v1/chat/completions').reply(401, { error: { code: 401, message: `No auth credentials found for ${KEY}` } });
    try {
      await collect(provider.stream(request, options()));
      expect.fail('should have thrown');
    } catch (error) {
      expect(error).to.have.property('code', 'upstream_auth_failed');
      expect((error as Error).message).not.to.include(KEY);
    }
  });

  it('reads an error object inside a 200 non-streaming body', async () => {
    nock(BASE).post('/api/v1/chat/completions').reply(200, { error: { code: 502, message: 'Provider returned error' } });
    try {
      await provider.complete(request, options());
      expect.fail('should have thrown');
    } catch (error) {
      expect(error).to.have.property('code', 'upstream_unavailable');
    }
  });

  it('tolerates blank lines before a JSON body', async () => {
    nock(BASE)
      .post('/api/v1/chat/completions')
      .reply(200, `\n\n\n${JSON.stringify({ id: 'x', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] })}`, {
        'content-type': 'application/json',
      });
    const response = await provider.complete(request, options());
    expect(response.content).to.equal('ok');
  });

  it('sends the key, attribution-free defaults and usage accounting', async () => {
    let sentBody: Record<string, unknown> = {};
    let sentAuth: string | undefined;
    nock(BASE)
      .post('/api/v1/chat/completions', (body: Record<string, unknown>) => {
        sentBody = body;
        return true;
      })
      .reply(function reply() {
        sentAuth = this.req.headers.authorization as string | undefined;
        return [200, { id: 'x', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] }];
      });
    await provider.complete({ ...request, providerOptions: { models: ['a/b'] } }, options());
    expect(sentAuth).to.equal(`Bearer ${KEY}`);
    expect(sentBody).to.deep.include({ usage: { include: true }, models: ['a/b'], stream: false, model: 'deepseek/deepseek-chat' });
  });
});
