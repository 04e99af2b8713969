import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { freePort } from '../helpers/free-port.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ADMIN = 'sk-topology-admin-key-000000000';
const CLIENT = 'sk-topology-client-key-00000000';

/** Throwaway Redis processes of one test, all stopped afterwards. */
class RedisProcesses {
  private readonly children: ChildProcess[] = [];
  readonly dir = mkdtempSync(path.join(tmpdir(), 'redis-topology-'));

  async start(args: string[], port: number): Promise<void> {
    this.children.push(spawn('redis-server', args, { stdio: 'ignore', cwd: this.dir }));
    for (let i = 0; i < 100; i++) {
      const pong = await run('redis-cli', ['-p', String(port), 'ping']).then(({ stdout }) => stdout.trim() === 'PONG', () => false);
      if (pong) return;
      await sleep(50);
    }
    throw new Error(`redis on ${port} did not start`);
  }

  stop(): void {
    for (const child of this.children) child.kill('SIGKILL');
  }
}

async function exercise(gateway: RunningGateway): Promise<void> {
  const ready = (await (await fetch(`${gateway.url}/health/ready`)).json()) as { redis: string };
  expect(ready.redis).to.equal('connected');
  const call = (key: string, pathName: string, body?: unknown) =>
    fetch(`${gateway.url}${pathName}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const chat = { model: 'm', temperature: 0, messages: [{ role: 'user', content: 'topology' }] };
  expect((await call(CLIENT, '/v1/chat/completions', chat)).headers.get('x-cache')).to.equal('MISS');
  expect((await call(CLIENT, '/v1/chat/completions', chat)).headers.get('x-cache')).to.equal('HIT');
  expect((await call(CLIENT, '/v1/chat/completions', chat)).status).to.equal(429);
  const created = await call(ADMIN, '/v1/admin/keys', { name: 'topology' });
  expect(created.status).to.equal(201);
  const listed = (await (await call(ADMIN, '/v1/admin/keys')).json()) as { data: unknown[] };
  expect(listed.data).to.have.length(2);
  await sleep(100);
  const usage = (await (await call(CLIENT, '/v1/usage')).json()) as { totals: { requests: number; cache_hits: number } };
  expect(usage.totals).to.include({ requests: 2, cache_hits: 1 });
}

describe('Redis behind Sentinel and as a Cluster', function () {
  this.timeout(60_000);
  let upstream: FakeUpstream;
  let redis: RedisProcesses;
  let gateway: RunningGateway | undefined;
  const env = () => ({ OPENROUTER_BASE_URL: upstream.url, API_KEYS: `t:${CLIENT}`, ADMIN_API_KEY: ADMIN, RATE_LIMIT_RPM: '2' });

  beforeEach(async () => {
    upstream = await startFakeUpstream();
    redis = new RedisProcesses();
  });
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    await upstream.close();
    redis.stop();
  });

  it('finds the master through Sentinel', async () => {
    const [master, sentinel] = [await freePort(), await freePort()];
    await redis.start(['--port', String(master), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], master);
    const config = path.join(redis.dir, 'sentinel.conf');
    writeFileSync(config, `port ${sentinel}\nbind 127.0.0.1\nsentinel monitor gateway 127.0.0.1 ${master} 1\n`);
    await redis.start([config, '--sentinel'], sentinel);
    gateway = await startGateway({ ...env(), REDIS_URL: `redis://127.0.0.1:${master}`, REDIS_SENTINELS: `127.0.0.1:${sentinel}`, REDIS_SENTINEL_NAME: 'gateway' });
    await exercise(gateway);
  });

  it('works on a three-node Redis Cluster', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    for (const port of ports) {
      await redis.start(['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no'], port);
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (let i = 0; i < 100; i++) {
      const { stdout } = await run('redis-cli', ['-p', String(ports[0]), 'cluster', 'info']);
      if (stdout.includes('cluster_state:ok')) break;
      await sleep(100);
    }
    gateway = await startGateway({ ...env(), REDIS_URL: `redis://127.0.0.1:${ports[0]}`, REDIS_CLUSTER_NODES: ports.map((port) => `127.0.0.1:${port}`).join(',') });
    await exercise(gateway);
  });
});
