import { expect } from 'chai';
import { pino } from 'pino';
import { redisAndUpstreamPerSuite } from '../helpers/per-test-setup.js';
import type { TestRedis } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { MemoryUsageStore } from '../../src/usage/memory-usage-store.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.js';
import type { UsageIncrement } from '../../src/usage/usage-types.js';

const TODAY = new Date().toISOString().slice(0, 10);
const ALL_TIME = { from: '2000-01-01', to: '2100-01-01' };

async function usageScriptCalls(redis: TestRedis): Promise<number> {
  const stats = await redis.client().info('commandstats');
  return [...stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
}

describe('usage batching', () => {
  const setup = redisAndUpstreamPerSuite();
  const gateways: RunningGateway[] = [];
  afterEach(async () => {
    for (const gateway of gateways.splice(0)) await gateway.close();
    await setup.redis.client().flushall();
    await setup.redis.client().config('RESETSTAT');
  });

  const start = async (env: Record<string, string>) => {
    const gateway = await startGateway({ OPENROUTER_BASE_URL: setup.upstream.url, REDIS_URL: setup.redis.url, ...env });
    gateways.push(gateway);
    return gateway;
  };
  const post = (gateway: RunningGateway) =>
    fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'batched', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.5 }),
    }).then((response) => response.arrayBuffer());
  const requestsCounted = async (gateway: RunningGateway) =>
    ((await (await fetch(`${gateway.url}/v1/usage?model=batched`)).json()) as { totals: { requests: number } }).totals.requests;

  it('writes a burst of requests to Redis as a few batches, not one write per request', async () => {
    // Rate limits use Redis scripts too; off, so every script call counted is a usage write.
    const gateway = await start({ USAGE_FLUSH_MS: '200', RATE_LIMIT_RPM: '0', RATE_LIMIT_TPM: '0' });
    await Promise.all(Array.from({ length: 40 }, () => post(gateway)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await usageScriptCalls(setup.redis)).to.be.within(1, 3);
    expect(await requestsCounted(gateway)).to.equal(40);
  });

  it('answers a usage read with the requests of the current interval included', async () => {
    const gateway = await start({ USAGE_FLUSH_MS: '60000' });
    for (let i = 0; i < 3; i++) await post(gateway);
    expect(await requestsCounted(gateway)).to.equal(3);
  });

  it('writes the last batch on graceful shutdown', async () => {
    const first = await start({ USAGE_FLUSH_MS: '60000' });
    for (let i = 0; i < 5; i++) await post(first);
    await first.close();
    gateways.splice(gateways.indexOf(first), 1);
    const second = await start({ USAGE_FLUSH_MS: '60000' });
    expect(await requestsCounted(second)).to.equal(5);
  });
});

describe('usage recorder', () => {
  const event = { client: 'key_a', provider: 'openrouter', model: 'm', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 }, cacheHit: false };

  it('sums requests that share a row into one increment', async () => {
    const applied: UsageIncrement[][] = [];
    const store = new MemoryUsageStore();
    const recording = {
      apply: async (id: string, increments: readonly UsageIncrement[]) => {
        applied.push([...increments]);
        await store.apply(id, increments);
      },
      query: store.query.bind(store),
    };
    const recorder = new UsageRecorder(recording, pino({ level: 'silent' }), 60_000);
    for (let i = 0; i < 4; i++) recorder.record(event);
    recorder.record({ ...event, model: 'other' });
    await recorder.writeCurrent();
    expect(applied).to.have.length(1);
    expect(applied[0]).to.have.length(2);
    expect(applied[0]![0]!.counters).to.include({ requests: 4, promptTokens: 12, completionTokens: 8 });
  });

  it('keeps usage under the UTC day it happened, across midnight and a clock set back', async () => {
    const store = new MemoryUsageStore();
    let now = Date.parse('2026-03-01T23:59:59.990Z');
    const recorder = new UsageRecorder(store, pino({ level: 'silent' }), 60_000, () => now);
    recorder.record(event);
    now += 20;
    recorder.record(event);
    recorder.record(event);
    now = Date.parse('2026-02-28T12:00:00Z');
    recorder.record(event);
    await recorder.writeCurrent();
    const rows = await store.query(ALL_TIME);
    const requestsOn = (day: string) => rows.filter((row) => row.day === day).reduce((sum, row) => sum + row.requests, 0);
    expect([requestsOn('2026-02-28'), requestsOn('2026-03-01'), requestsOn('2026-03-02')]).to.deep.equal([1, 1, 2]);
  });

  it('says at shutdown how much usage it could not write', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    const unreachable = { apply: async () => Promise.reject(new Error('redis unavailable')), query: async () => [] };
    const recorder = new UsageRecorder(unreachable, logger, 60_000);
    recorder.record(event);
    recorder.record({ ...event, model: 'other' });
    await recorder.close();
    expect(lines).to.have.length(1);
    expect(JSON.parse(lines[0]!)).to.include({ batches: 1, rows: 2, msg: 'usage store unreachable at shutdown: these usage counts are lost' });
  });

  it('replays a batch whose write timed out under the same id, so it counts once', async () => {
    const store = new MemoryUsageStore();
    let calls = 0;
    // The write reached the store, but the answer was lost: the recorder cannot tell it from a failure.
    const flaky = {
      apply: async (id: string, increments: readonly UsageIncrement[]) => {
        calls++;
        await store.apply(id, increments);
        if (calls === 1) throw new Error('command timed out');
      },
      query: store.query.bind(store),
    };
    const recorder = new UsageRecorder(flaky, pino({ level: 'silent' }), 60_000);
    recorder.record(event);
    await recorder.writeCurrent();
    expect(recorder.pendingCount).to.equal(1);
    await recorder.replayPending();
    expect(recorder.pendingCount).to.equal(0);
    expect(calls).to.equal(2);
    const rows = await store.query(ALL_TIME);
    expect(rows).to.deep.equal([{ day: TODAY, client: 'key_a', provider: 'openrouter', model: 'm', requests: 1, cacheHits: 0, promptTokens: 3, completionTokens: 2, cachedTokens: 0, reasoningTokens: 0, cost: 0 }]);
  });
  it('replays a batch a slow store refused before answering a usage read, so the client sees it at once', async () => {
    const store = new MemoryUsageStore();
    let calls = 0;
    const refusesFirst = {
      apply: async (id: string, increments: readonly UsageIncrement[]) => {
        calls++;
        if (calls === 1) throw new Error('command timed out');
        await store.apply(id, increments);
      },
      query: store.query.bind(store),
    };
    const recorder = new UsageRecorder(refusesFirst, pino({ level: 'silent' }), 60_000);
    recorder.record(event);
    await recorder.writeCurrent();
    expect(recorder.pendingCount).to.equal(1);
    const rows = await recorder.query(ALL_TIME);
    expect(rows.map((row) => row.requests)).to.deep.equal([1]);
    expect(recorder.pendingCount).to.equal(0);
  });

  it('adds batches the store still refuses to a usage read, so nothing recorded is missing from it', async () => {
    const store = new MemoryUsageStore();
    const refusing = { apply: async () => Promise.reject(new Error('store away')), query: store.query.bind(store) };
    const recorder = new UsageRecorder(refusing, pino({ level: 'silent' }), 60_000);
    recorder.record(event);
    recorder.record(event);
    await recorder.writeCurrent();
    const rows = await recorder.query(ALL_TIME);
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ requests: 2, promptTokens: 6 });
    expect(await recorder.query({ ...ALL_TIME, model: 'other' })).to.deep.equal([]);
  });
});
