import { expect } from 'chai';
import { openAiStream, sseScenario, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

describe('upstream waits are bounded', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  beforeEach(async () => {
    upstream = await startFakeUpstream();
    gateway = await startGateway({
      OPENROUTER_BASE_URL: upstream.url,
      UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '300',
      UPSTREAM_IDLE_TIMEOUT_MS: '300',
      UPSTREAM_TOTAL_TIMEOUT_MS: '2000',
    });
  });
  afterEach(async () => {
    await gateway.close();
    await upstream.close();
  });

  const post = (body: Record<string, unknown>) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], ...body }),
    });

  it('answers 504 upstream_timeout when the upstream sends no headers in time', async () => {
    upstream.enqueue({ headerDelayMs: 5_000, pieces: ['{}'] });
    const started = Date.now();
    const response = await post({});
    expect(response.status).to.equal(504);
    expect(((await response.json()) as { error: { code: string } }).error.code).to.equal('upstream_timeout');
    expect(Date.now() - started).to.be.below(1500);
    await upstream.waitForAbort(1000);
  });

  it('ends a stream that goes silent with an upstream_timeout error event', async () => {
    const pieces = openAiStream(['first'], { finishReason: null, usage: null, done: false });
    upstream.enqueue(sseScenario(pieces, 0, true));
    const response = await post({ stream: true });
    const text = await response.text();
    expect(text).to.include('"content":"first"');
    expect(text).to.include('"code":"upstream_timeout"');
    expect(text).not.to.include('[DONE]');
  });

  it('does not count keep-alive comments as progress', async () => {
    const comments = Array.from({ length: 40 }, () => ': OPENROUTER PROCESSING\n\n');
    upstream.enqueue(sseScenario([...openAiStream(['a'], { finishReason: null, usage: null, done: false }), ...comments], 50, true));
    const started = Date.now();
    const text = await (await post({ stream: true })).text();
    expect(text).to.include('"code":"upstream_timeout"');
    expect(Date.now() - started).to.be.below(1500);
  });

  it('cuts a stream that outlives the total deadline, even while tokens keep coming', async () => {
    await gateway.close();
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, UPSTREAM_TOTAL_TIMEOUT_MS: '500' });
    upstream.enqueue(sseScenario(openAiStream(Array.from({ length: 100 }, (_, i) => `t${i} `)), 50));
    const started = Date.now();
    const text = await (await post({ stream: true })).text();
    expect(text).to.include('"code":"upstream_timeout"');
    expect(text).to.include('within 500 ms');
    expect(Date.now() - started).to.be.within(400, 1500);
    await upstream.waitForAbort(1000).catch(() => undefined);
    expect(upstream.aborts.length).to.equal(1);
  });

  it('bounds the whole request, retries included, by REQUEST_TIMEOUT_MS', async () => {
    await gateway.close();
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, REQUEST_TIMEOUT_MS: '400', RETRY_MAX_ATTEMPTS: '5', RETRY_BASE_DELAY_MS: '1000', RETRY_MAX_DELAY_MS: '1000' });
    upstream.setDefault(() => ({ headerDelayMs: 250, status: 503, headers: { 'content-type': 'application/json' }, pieces: ['{"error":{"message":"busy"}}'] }));
    const started = Date.now();
    const response = await post({});
    expect(Date.now() - started).to.be.below(1200);
    expect([502, 504]).to.include(response.status);
  });
});
