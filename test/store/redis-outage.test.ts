import { expect } from 'chai';
import net from 'node:net';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

interface Ready {
  status: string;
  redis: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(50);
  }
}

describe('when Redis fails', () => {
  let redis: TestRedis;
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  const post = (index: number) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // Half cacheable, half not: both paths must survive the outage.
      body: JSON.stringify({ model: 'm', temperature: index % 2 === 0 ? 0 : 0.5, messages: [{ role: 'user', content: `question ${index % 7}` }] }),
    });
  const ready = async () => (await (await fetch(`${gateway.url}/health/ready`)).json()) as Ready;
  const usageRequests = async () => {
    const response = await fetch(`${gateway.url}/v1/usage`);
    if (response.status !== 200) return -1;
    return ((await response.json()) as { totals: { requests: number } }).totals.requests;
  };

  beforeEach(async () => {
    redis = await startTestRedis();
    upstream = await startFakeUpstream();
  });
  afterEach(async () => {
    await gateway?.close();
    await upstream.close();
    await redis.stop();
  });

  it('killed under load: no request fails, latency stays bounded, and it recovers by itself without double counting', async function () {
    this.timeout(30_000);
    gateway = await startGateway({
      OPENROUTER_BASE_URL: upstream.url,
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: '200',
      RATE_LIMIT_RPM: '100000',
      // Batches of about one request each, so the count below can tell which requests the killed Redis took with it.
      USAGE_FLUSH_MS: '1',
    });
    const results: { status: number; ms: number; phase: string }[] = [];
    let phase = 'before';
    let next = 0;
    const total = 600;
    const worker = async () => {
      while (next < total) {
        const index = next++;
        const started = performance.now();
        const response = await post(index);
        await response.arrayBuffer();
        results.push({ status: response.status, ms: performance.now() - started, phase });
        await sleep(5);
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, worker));
    await waitFor(async () => results.length >= 150, 10_000);
    await redis.kill();
    phase = 'outage';
    await waitFor(async () => results.length >= 350, 15_000);
    const duringOutage = await ready();
    expect(duringOutage).to.include({ redis: 'unavailable', status: 'degraded' });
    expect(await fetch(`${gateway.url}/health/ready`).then((response) => response.status)).to.equal(200);
    expect(await fetch(`${gateway.url}/v1/usage`).then((response) => response.status)).to.equal(503);
    await redis.start();
    phase = 'recovered';
    await load;

    expect(results).to.have.length(total);
    expect(results.filter((result) => result.status !== 200)).to.deep.equal([]);
    const worst = Math.max(...results.map((result) => result.ms));
    expect(worst, `slowest request ${worst.toFixed(0)} ms`).to.be.below(1_500);

    await waitFor(async () => (await ready()).redis === 'connected', 10_000);
    // The restarted Redis starts empty; every request after the kill must be counted exactly once.
    const afterKill = results.filter((result) => result.phase !== 'before').length;
    await waitFor(async () => (await usageRequests()) >= afterKill, 10_000);
    await sleep(300);
    const counted = await usageRequests();
    expect(counted).to.be.within(afterKill, afterKill + 8);
  });

  it('hung (not dead): each request waits at most about one command timeout', async function () {
    this.timeout(20_000);
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: '200' });
    expect((await post(0)).status).to.equal(200);
    redis.pause();
    try {
      const timings = [];
      for (let i = 0; i < 10; i++) {
        const started = performance.now();
        const response = await post(i);
        expect(response.status).to.equal(200);
        timings.push(performance.now() - started);
      }
      expect(Math.max(...timings)).to.be.below(700);
      // After the first timeout the gateway stops asking Redis for a while.
      expect(timings.slice(1).filter((ms) => ms > 150)).to.have.length.below(3);
    } finally {
      redis.resume();
    }
    await waitFor(async () => (await ready()).redis === 'connected', 10_000);
  });

  it('down at start-up: the service starts, serves, reports Redis as unavailable, and connects when it appears', async function () {
    this.timeout(20_000);
    await redis.kill();
    const started = Date.now();
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, REDIS_URL: redis.url, REDIS_CONNECT_TIMEOUT_MS: '300' });
    expect(Date.now() - started).to.be.below(3_000);
    expect((await post(0)).status).to.equal(200);
    expect(await ready()).to.include({ redis: 'unavailable', status: 'degraded' });
    await redis.start();
    await waitFor(async () => (await ready()).redis === 'connected', 10_000);
    expect((await ready()).status).to.equal('ok');
    // The request served while Redis was away is counted once it is back.
    await waitFor(async () => (await usageRequests()) === 1, 10_000);
  });

  it('a Redis error is never mistaken for a rate-limit rejection', async () => {
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, REDIS_URL: redis.url, RATE_LIMIT_RPM: '2' });
    await redis.kill();
    // The in-process limiter takes over with the same limit: errors do not reject, the budget does.
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(i + 1)).status);
    expect(statuses).to.deep.equal([200, 200, 429]);
  });
});

describe('the REDIS_URL in errors and logs', () => {
  it('never shows a password', async () => {
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const gateway = await startGateway({ REDIS_URL: `redis://:hunter2-secret@127.0.0.1:${port}`, REDIS_CONNECT_TIMEOUT_MS: '200' });
    try {
      const body = await (await fetch(`${gateway.url}/health/ready`)).text();
      expect(body).not.to.include('hunter2');
    } finally {
      await gateway.close();
      server.close();
    }
  });
});
