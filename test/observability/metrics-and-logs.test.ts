import { expect } from 'chai';
import { Writable } from 'node:stream';
import { waitFor } from '../helpers/wait.js';
import { createLogger } from '../../src/observability/logger.js';
import { errorScenario, openAiCompletion, openAiStream, sseScenario } from '../helpers/fake-upstream.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((label) => line.includes(label))) total += Number(line.split(' ').at(-1));
  }
  return total;
}

describe('metrics and request logs', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  const logs: string[] = [];
  const key = 'sk-observability-client-key-1234';

  beforeEach(async () => {
    logs.length = 0;
    upstream = await startFakeUpstream();
    const sink = new Writable({ write: (chunk: Buffer, _encoding, callback) => (logs.push(chunk.toString()), callback()) });
    gateway = await startGateway(
      { OPENROUTER_BASE_URL: upstream.url, API_KEYS: `obs:${key}`, BREAKER_VOLUME_THRESHOLD: '2', BREAKER_ERROR_THRESHOLD_PERCENT: '50' },
      { logger: createLogger('info', sink) },
    );
  });
  afterEach(async () => {
    await gateway.close();
    await upstream.close();
  });

  const post = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
      body: JSON.stringify({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'SECRET PROMPT TEXT' }], ...body }),
    });
  const scrape = async () => (await fetch(`${gateway.url}/metrics`)).text();

  it('count requests, cache hits and misses, tokens, cost, errors and breaker state after known traffic', async () => {
    upstream.enqueue(openAiCompletion('answer', { usage: { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14, cost: 0.5 } }));
    await post({ temperature: 0 });
    await post({ temperature: 0 });
    upstream.enqueue(errorScenario(400, 'bad'));
    await post({ temperature: 0.3 });
    upstream.setDefault(() => errorScenario(503, 'down'));
    await post({ temperature: 0.4 });
    await post({ temperature: 0.5 });
    await post({ temperature: 0.6 });
    const text = await scrape();
    expect(metricValue(text, 'gateway_cache_requests_total', { result: 'miss' })).to.equal(1);
    expect(metricValue(text, 'gateway_cache_requests_total', { result: 'hit' })).to.equal(1);
    expect(metricValue(text, 'gateway_tokens_total', { provider: 'openrouter', model: 'openai/gpt-4o', kind: 'prompt' })).to.equal(11);
    expect(metricValue(text, 'gateway_tokens_total', { kind: 'completion' })).to.equal(3);
    expect(metricValue(text, 'gateway_cost_usd_total', { provider: 'openrouter' })).to.equal(0.5);
    expect(metricValue(text, 'gateway_errors_total', { code: 'upstream_bad_request' })).to.equal(1);
    expect(metricValue(text, 'gateway_errors_total', { code: 'upstream_unavailable' })).to.equal(3);
    expect(metricValue(text, 'gateway_circuit_breaker_state', { provider: 'openrouter' })).to.equal(2);
    expect(metricValue(text, 'gateway_http_request_duration_seconds_count', { route: '/v1/chat/completions', status: '200' })).to.equal(2);
    expect(metricValue(text, 'gateway_upstream_duration_seconds_count', { provider: 'openrouter', outcome: 'success' })).to.equal(1);
    expect(text).to.include('process_cpu_user_seconds_total');
    expect(text).to.include('nodejs_eventloop_lag_seconds');
    expect(text).not.to.include(key);
    expect(text).not.to.include('SECRET PROMPT');
  });

  it('keeps model labels bounded: a model no provider accepted is not a label', async () => {
    upstream.setDefault(() => errorScenario(404, 'No endpoints found'));
    for (let i = 0; i < 5; i++) await post({ model: `random/model-${i}` });
    const text = await scrape();
    expect(text).not.to.include('random/model-');
  });

  it('write one line per request with the fields operators need, and no prompt text or key', async () => {
    upstream.enqueue(openAiCompletion('the answer'));
    await post({}, { 'x-request-id': 'req-abc-123' });
    const line = await waitFor(() => logs.map((entry) => JSON.parse(entry) as Record<string, unknown>).find((entry) => entry.msg === 'request' && entry.requestId === 'req-abc-123'));
    expect(line).to.include({ method: 'POST', route: '/v1/chat/completions', status: 200, provider: 'openrouter', model: 'test/model', attempts: 1, cacheStatus: 'BYPASS' });
    expect(line?.keyId).to.match(/^key_env_/);
    expect(line?.tokens).to.deep.equal({ prompt: 5, completion: 2 });
    expect(line?.latencyMs).to.be.a('number');
    expect(upstream.requests.at(-1)?.headers['x-request-id']).to.equal('req-abc-123');
    const all = logs.join('\n');
    expect(all).not.to.include('SECRET PROMPT');
    expect(all).not.to.include('the answer');
    expect(all).not.to.include(key);
  });

  it('with LOG_CONTENT on, log a streamed answer whole beside its prompt', async () => {
    await gateway.close();
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, API_KEYS: `obs:${key}`, LOG_CONTENT: 'true' }, { logger: createLogger('info', new Writable({ write: (chunk: Buffer, _encoding, callback) => (logs.push(chunk.toString()), callback()) })) });
    upstream.enqueue(sseScenario(openAiStream(['The ', 'streamed ', 'answer'])));
    const response = await post({ stream: true, temperature: 0.9 }, { 'x-request-id': 'req-content-1' });
    await response.text();
    const line = await waitFor(() => logs.map((entry) => JSON.parse(entry) as Record<string, unknown>).find((entry) => entry.msg === 'request' && entry.requestId === 'req-content-1'));
    expect(line?.content).to.deep.include({ completion: 'The streamed answer' });
    expect(JSON.stringify(line?.content)).to.include('SECRET PROMPT TEXT');
  });

  it('log the error code of a failed request', async () => {
    await post({ messages: [] });
    const line = await waitFor(() => logs.map((entry) => JSON.parse(entry) as Record<string, unknown>).find((entry) => entry.msg === 'request' && entry.status === 400));
    expect(line?.errorCode).to.equal('invalid_request');
  });

  it('can put /metrics behind a token', async () => {
    const guarded = await startGateway({ METRICS_TOKEN: 'metrics-token-123' });
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).to.equal(401);
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-123' } })).status).to.equal(200);
    } finally {
      await guarded.close();
    }
  });

  it('counts open streams while they are open', async () => {
    upstream.enqueue({ headers: { 'content-type': 'text/event-stream' }, pieces: ['data: {"id":"x","choices":[{"index":0,"delta":{"content":"a"}}]}\n\n'], hold: true });
    const response = await post({ stream: true });
    const reader = response.body!.getReader();
    await reader.read();
    expect(metricValue(await scrape(), 'gateway_active_streams', { transport: 'sse' })).to.equal(1);
    await reader.cancel();
    await waitFor(async () => metricValue(await scrape(), 'gateway_active_streams', { transport: 'sse' }) === 0, { what: 'the stream gauge to return to 0' });
  });
});

describe('metrics on a port of their own', () => {
  it('serves /metrics only there when METRICS_PORT is set', async () => {
    const { freePort } = await import('../helpers/free-port.js');
    const port = await freePort();
    const gateway = await startGateway({ METRICS_PORT: String(port) });
    try {
      expect((await fetch(`${gateway.url}/metrics`)).status).to.equal(404);
      await new Promise<void>((resolve) => gateway.app.metricsServer!.listen(port, '127.0.0.1', resolve));
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(text).to.include('gateway_http_request_duration_seconds');
    } finally {
      await gateway.close();
    }
  });
});

describe('the shipped Grafana dashboard', () => {
  it('queries only metrics the gateway exports', async () => {
    const { readFileSync } = await import('node:fs');
    const { GatewayMetrics } = await import('../../src/observability/metrics.js');
    const dashboard = JSON.parse(readFileSync(new URL('../../deploy/monitoring/grafana/dashboards/llm-gateway.json', import.meta.url), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const exported = (await new GatewayMetrics().registry.getMetricsAsJSON()).map((metric) => metric.name);
    const used = new Set(dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => [...target.expr.matchAll(/\b((?:gateway|nodejs|process)_[a-z_]+?)(?:_bucket|_count|_sum)?\b[{[(]/g)].map((match) => match[1]!))));
    expect(used.size).to.be.above(8);
    for (const name of used) expect(exported, name).to.include(name);
  });
});
