import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger.js';
import { errorScenario, openAiCompletion, startFakeUpstream, type FakeUpstream, type RecordedRequest, type Scenario } from '../helpers/fake-upstream.js';
import { postChat, postJson as postJsonTo } from '../helpers/http.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { sleep, waitFor } from '../helpers/wait.js';

const KEY_A = 'sk-pool-key-a-1111111111';
const KEY_B = 'sk-pool-key-b-2222222222';
const KEYS = { POOL_KEY_A: KEY_A, POOL_KEY_B: KEY_B };

const keyOf = (request: RecordedRequest) => (request.headers.authorization === `Bearer ${KEY_A}` ? 'A' : request.headers.authorization === `Bearer ${KEY_B}` ? 'B' : 'none');
const chatRequests = (upstream: FakeUpstream) => upstream.requests.filter((request) => request.path.endsWith('/chat/completions'));
const countByKey = (upstream: FakeUpstream) => {
  const counts = { A: 0, B: 0, none: 0 };
  for (const request of chatRequests(upstream)) counts[keyOf(request)]++;
  return counts;
};

function providersFile(yaml: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'deployments-')), 'providers.yaml');
  writeFileSync(file, yaml);
  return file;
}

function logSink(lines: string[]) {
  return createLogger(
    'debug',
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    }),
  );
}

/** Runs `total` requests with `concurrency` workers, each waiting for its answer before the next. */
async function closedLoop(total: number, concurrency: number, send: () => Promise<Response>): Promise<number[]> {
  const statuses: number[] = [];
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started++;
      const response = await send();
      await response.arrayBuffer();
      statuses.push(response.status);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return statuses;
}

const NO_LIMITS = { RATE_LIMIT_RPM: '0', RATE_LIMIT_TPM: '0', CACHE_ENABLED: 'false' };

describe('deployments: several keys of one provider', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  const logs: string[] = [];
  const file = (url: string) => providersFile(`providers:\n  - id: pool\n    kind: openai-compatible\n    baseUrl: ${url}\n    keys: [{ env: POOL_KEY_A, weight: 3 }, { env: POOL_KEY_B }]\n    models: [m1, m2]\n`);

  beforeEach(async () => {
    logs.length = 0;
    upstream = await startFakeUpstream();
    gateway = await startGateway({ ...KEYS, ...NO_LIMITS, PROVIDERS_FILE: file(upstream.url), DEFAULT_PROVIDER: 'pool', RETRY_MAX_ATTEMPTS: '2' }, { logger: logSink(logs) });
  });
  afterEach(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('lists each key by its label, never the key', async () => {
    await postChat(gateway.url, { model: 'm1' });
    const text = await (await fetch(`${gateway.url}/v1/providers`)).text();
    const pool = (JSON.parse(text) as { data: { id: string; keys: string[]; deployments: { id: string; key: string }[] }[] }).data.find((provider) => provider.id === 'pool');
    expect(pool?.keys).to.deep.equal(['POOL_KEY_A', 'POOL_KEY_B']);
    expect(pool?.deployments.map((deployment) => deployment.key)).to.have.length(1);
    expect(text).not.to.include(KEY_A);
    expect(text).not.to.include(KEY_B);
    expect(logs.join('')).not.to.include(KEY_A);
    const graphql = (await (await postJsonTo(`${gateway.url}/graphql`, { query: '{ providers { id keys deployments { id key state inFlight } } }' })).json()) as {
      data: { providers: { id: string; keys: string[]; deployments: { id: string; key: string; state: string; inFlight: number }[] }[] };
    };
    const viaGraphql = graphql.data.providers.find((provider) => provider.id === 'pool');
    expect(viaGraphql?.keys).to.deep.equal(['POOL_KEY_A', 'POOL_KEY_B']);
    expect(viaGraphql?.deployments[0]).to.deep.include({ state: 'CLOSED', inFlight: 0 });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).to.match(/gateway_deployment_requests_total\{provider="pool",model="m1",key="POOL_KEY_[AB]",outcome="success"\} 1/);
    expect(metrics).to.match(/gateway_routing_decisions_total\{strategy="weighted",provider="pool",key="POOL_KEY_[AB]"\} 1/);
    expect(metrics).not.to.include(KEY_A);
  });

  it("429s on one key move traffic to the other and honour the provider's Retry-After", async () => {
    upstream.setDefault((request): Scenario => (keyOf(request) === 'A' ? errorScenario(429, 'slow down', { 'retry-after': '2' }) : openAiCompletion('from B')));
    const statuses = await closedLoop(20, 1, () => postChat(gateway.url, { model: 'm1' }));
    expect(statuses.every((status) => status === 200)).to.equal(true);
    // Key A answered 429 once and then sat out; every other request went to key B.
    expect(countByKey(upstream).A).to.equal(1);
    const listing = (await (await fetch(`${gateway.url}/v1/providers`)).json()) as { data: { id: string; deployments: { key: string; cooling_until: string | null; state: string }[] }[] };
    const a = listing.data.find((provider) => provider.id === 'pool')?.deployments.find((deployment) => deployment.key === 'POOL_KEY_A');
    expect(a?.state).to.equal('closed');
    const coolingMs = Date.parse(a?.cooling_until ?? '') - Date.now();
    expect(coolingMs).to.be.within(0, 2_000);
    // Once the cooldown is over, key A takes traffic again.
    upstream.setDefault(() => openAiCompletion('both fine'));
    await waitFor(async () => (await postChat(gateway.url, { model: 'm1' })).headers.get('x-gateway-deployment') === 'pool/m1#POOL_KEY_A', { timeoutMs: 6_000, what: 'key A to serve again' });
  });

  it('a 401 on one of two keys moves all traffic, for every model, to the other key', async () => {
    upstream.setDefault((request): Scenario => (keyOf(request) === 'A' ? errorScenario(401, 'Invalid API key') : openAiCompletion('from B')));
    const statuses = await closedLoop(12, 1, () => postChat(gateway.url, { model: Math.random() < 0.5 ? 'm1' : 'm2' }));
    expect(statuses.every((status) => status === 200)).to.equal(true);
    expect(countByKey(upstream).A).to.equal(1);
    const served = await postChat(gateway.url, { model: 'm2' });
    expect(served.headers.get('x-gateway-deployment')).to.equal('pool/m2#POOL_KEY_B');
  });

  it('a sole key is never cooled: its error comes back at once, and the next request tries it again', async () => {
    const single = await startFakeUpstream();
    const sole = await startGateway(
      { SOLE_KEY: KEY_A, ...NO_LIMITS, PROVIDERS_FILE: providersFile(`providers:\n  - id: sole\n    kind: openai-compatible\n    baseUrl: ${single.url}\n    apiKeyEnv: SOLE_KEY\n    models: [m1]\n`), DEFAULT_PROVIDER: 'sole' },
      { logger: logSink(logs) },
    );
    try {
      single.setDefault(() => errorScenario(401, 'Invalid API key'));
      for (let i = 0; i < 6; i++) expect((await postChat(sole.url, { model: 'm1' })).status).to.equal(502);
      expect(chatRequests(single)).to.have.length(6);
      expect(logs.some((line) => line.includes('rejected its only key SOLE_KEY'))).to.equal(true);
      single.setDefault(() => openAiCompletion('fixed'));
      expect((await postChat(sole.url, { model: 'm1' })).status).to.equal(200);
    } finally {
      await sole.close();
      await single.close();
    }
  });
});

describe('deployments: model groups', () => {
  let fast: FakeUpstream;
  let slow: FakeUpstream;
  let gateway: RunningGateway;
  const start = async (strategy: string, weights: [number, number], slowDelayMs = 0) => {
    fast = await startFakeUpstream();
    slow = await startFakeUpstream();
    slow.setDefault(() => ({ ...openAiCompletion('slow'), headerDelayMs: slowDelayMs }));
    const yaml = `providers:
  - id: fast
    kind: openai-compatible
    baseUrl: ${fast.url}
    models: [shared-model]
  - id: slow
    kind: openai-compatible
    baseUrl: ${slow.url}
    models: [shared-model]
groups:
  chat:
    strategy: ${strategy}
    deployments:
      - { target: fast/shared-model, weight: ${weights[0]} }
      - { target: slow/shared-model, weight: ${weights[1]} }
`;
    gateway = await startGateway({ ...NO_LIMITS, PROVIDERS_FILE: providersFile(yaml), DEFAULT_PROVIDER: 'fast' });
  };
  afterEach(async () => {
    await gateway?.close();
    await fast?.close();
    await slow?.close();
  });

  it('weighted: weights are respected within a few percent over 2,000 requests', async function () {
    this.timeout(60_000);
    await start('weighted', [3, 1]);
    const statuses = await closedLoop(2_000, 16, () => postChat(gateway.url, { model: 'chat' }));
    expect(statuses.every((status) => status === 200)).to.equal(true);
    const share = chatRequests(fast).length / 2_000;
    expect(share).to.be.within(0.72, 0.78);
    expect(chatRequests(fast).length + chatRequests(slow).length).to.equal(2_000);
  });

  it('least-busy: a slow deployment holds its requests, so the fast one takes nearly all the rest', async function () {
    this.timeout(30_000);
    await start('least-busy', [1, 1], 300);
    await closedLoop(100, 4, () => postChat(gateway.url, { model: 'chat' }));
    expect(chatRequests(slow).length).to.be.below(12);
    expect(chatRequests(fast).length).to.be.above(88);
  });
});

describe('deployments: health shared across replicas and readiness', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(() => redis.stop());

  it('a key cooled on one replica is skipped by another on the same Redis within about a second', async function () {
    this.timeout(20_000);
    const upstream = await startFakeUpstream();
    const file = providersFile(`providers:\n  - id: pool\n    kind: openai-compatible\n    baseUrl: ${upstream.url}\n    keys: [{ env: POOL_KEY_A, weight: 100 }, { env: POOL_KEY_B }]\n    models: [m1]\n`);
    const env = { ...KEYS, ...NO_LIMITS, PROVIDERS_FILE: file, DEFAULT_PROVIDER: 'pool', REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'deployments-test:' };
    const first = await startGateway(env);
    const second = await startGateway(env);
    try {
      upstream.setDefault((request): Scenario => (keyOf(request) === 'A' ? errorScenario(429, 'slow down', { 'retry-after': '5' }) : openAiCompletion('B')));
      // Key A's weight makes it the first pick nearly always; a request that drew B instead is answered by B and tried again.
      for (let tries = 0; tries < 20 && countByKey(upstream).A === 0; tries++) expect((await postChat(first.url, { model: 'm1' })).status).to.equal(200);
      expect(countByKey(upstream).A).to.equal(1);
      // The other replica polls shared health twice a second.
      await sleep(1_100);
      for (let i = 0; i < 10; i++) expect((await postChat(second.url, { model: 'm1' })).headers.get('x-gateway-deployment')).to.equal('pool/m1#POOL_KEY_B');
      expect(countByKey(upstream).A).to.equal(1);
    } finally {
      await first.close();
      await second.close();
      await upstream.close();
    }
  });

  it('readiness stays 200 while the only provider fails; the report says so', async () => {
    const upstream = await startFakeUpstream();
    const gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, ...NO_LIMITS, BREAKER_CONSECUTIVE_FAILURES: '3' });
    try {
      upstream.setDefault(() => errorScenario(503, 'down'));
      for (let i = 0; i < 5; i++) await postChat(gateway.url, { model: 'm' });
      const ready = await fetch(`${gateway.url}/health/ready`);
      expect(ready.status).to.equal(200);
      const body = (await ready.json()) as { status: string; providers: { id: string; status: string }[] };
      expect(body.status).to.equal('degraded');
      expect(body.providers.find((provider) => provider.id === 'openrouter')?.status).to.equal('unavailable');
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});
