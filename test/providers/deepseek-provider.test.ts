import { expect } from 'chai';
import nock from 'nock';
import { loadConfig } from '../../src/config/load-config.js';
import { createDeepSeekProvider } from '../../src/providers/deepseek/create-deepseek-provider.js';
import { createHttpAgents } from '../../src/providers/http/http-agents.js';
import type { StreamPart } from '../../src/providers/types.js';
import { inPieces, readFixture } from '../helpers/fixtures.js';
import { replayWithNock } from '../helpers/nock-suite.js';

const BASE = 'https://deepseek.test';

describe('DeepSeek provider replaying recorded responses', () => {
  const agents = createHttpAgents(4);
  const config = loadConfig({ DEEPSEEK_API_KEY: 'sk-ds-unit', DEEPSEEK_BASE_URL: BASE });
  const provider = createDeepSeekProvider(config.providers.find((entry) => entry.id === 'deepseek')!, agents);
  const options = () => ({ signal: new AbortController().signal });
  const request = { model: 'deepseek-reasoner', messages: [{ role: 'user' as const, content: 'Hi' }] };

  replayWithNock();
  after(() => agents.destroy());

  it('streams reasoning_content as reasoning parts and skips keep-alive comments', async () => {
    nock(BASE)
      .post('/chat/completions')
      .reply(200, () => inPieces(readFixture('deepseek/reasoner-stream-with-keep-alive.sse'), 13), { 'content-type': 'text/event-stream' });
    const parts: StreamPart[] = [];
    for await (const part of provider.stream(request, options())) parts.push(part);
    expect(parts.filter((part) => part.type === 'reasoning-delta').map((part) => (part.type === 'reasoning-delta' ? part.delta : ''))).to.deep.equal([
      'The user greets.',
      ' Reply kindly.',
    ]);
    // DeepSeek's `logprobs: null` beside each delta travels on, as OpenAI's clients expect it.
    expect(parts.filter((part) => part.type === 'text-delta')).to.deep.equal([{ type: 'text-delta', delta: 'Hello!', extra: { choice: { logprobs: null } } }]);
    const finish = parts.at(-1);
    expect(finish).to.deep.include({ type: 'finish', finishReason: 'stop' });
    expect(finish?.type === 'finish' && finish.usage).to.deep.include({ promptTokens: 12, completionTokens: 20, totalTokens: 32, cachedTokens: 0, reasoningTokens: 14 });
  });

  it('reads a slow non-streaming body preceded by blank lines, with cache-hit tokens and reasoning', async () => {
    nock(BASE).post('/chat/completions').reply(200, readFixture('deepseek/chat-slow-body-with-blank-lines.json'), { 'content-type': 'application/json' });
    const response = await provider.complete({ ...request, model: 'deepseek-chat' }, options());
    expect(response).to.deep.include({ content: 'Hi there', reasoning: 'Short greeting.', finishReason: 'stop' });
    expect(response.usage).to.deep.include({ promptTokens: 64, completionTokens: 3, totalTokens: 67, cachedTokens: 60 });
    // DeepSeek's own cache counters reach the client as DeepSeek sent them.
    expect(response.usage?.wire).to.deep.include({ prompt_cache_hit_tokens: 60 });
  });

  it('maps DeepSeek 402 Insufficient Balance', async () => {
    nock(BASE).post('/chat/completions').reply(402, { error: { message: 'Insufficient Balance', type: 'unknown_error', code: 'invalid_request_error' } });
    try {
      await provider.complete(request, options());
      expect.fail('should have thrown');
    } catch (error) {
      expect(error).to.have.property('code', 'upstream_insufficient_credits');
    }
  });
});
