import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { openAiStream, sseScenario, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { freePort } from '../helpers/free-port.js';
import { requireBinary } from '../helpers/system-binary.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

/**
 * Three real gateway processes sharing one Redis behind a real nginx running the shipped
 * deploy/nginx/nginx.conf (only its upstream list and paths changed), all on loopback.
 */
const CLIENT_KEY = 'sk-replica-client-key-000000001';
const ADMIN_KEY = 'sk-replica-admin-key-0000000002';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Replica {
  port: number;
  process: ChildProcess;
  exited: Promise<number | null>;
}

describe('replicas behind nginx', function () {
  this.timeout(60_000);
  let redis: TestRedis;
  let upstream: FakeUpstream;
  let nginx: ChildProcess;
  let url: string;
  const replicas: Replica[] = [];

  async function startReplica(port: number): Promise<Replica> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: String(port),
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: 'replicas:',
        OPENROUTER_API_KEY: 'sk-or-replicas',
        OPENROUTER_BASE_URL: upstream.url,
        API_KEYS: `replicas:${CLIENT_KEY}`,
        ADMIN_API_KEY: ADMIN_KEY,
        RATE_LIMIT_RPM: '100000',
        SHUTDOWN_DELAY_MS: '300',
        SHUTDOWN_GRACE_MS: '3000',
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 200; i++) {
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((response) => response.status === 200, () => false);
      if (ready) return { port, process: child, exited };
      await sleep(50);
    }
    throw new Error(`replica on ${port} did not become ready`);
  }

  async function startNginx(ports: number[]): Promise<string> {
    const listen = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'gateway-nginx-'));
    const shipped = readFileSync(new URL('../../deploy/nginx/nginx.conf', import.meta.url), 'utf8');
    const config = shipped
      .replace('worker_processes auto;', `worker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log warn;`)
      .replace(/server gateway:8080[^;]*;/, ports.map((port) => `server 127.0.0.1:${port} max_fails=0;`).join('\n    '))
      .replace('listen 8080;', `listen 127.0.0.1:${listen};`)
      .replace('http {', `http {\n  access_log off;\n  client_body_temp_path ${dir}/body;\n  proxy_temp_path ${dir}/proxy;`);
    writeFileSync(path.join(dir, 'nginx.conf'), config);
    nginx = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
    const base = `http://127.0.0.1:${listen}`;
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${base}/health/live`).then(() => true, () => false)) return base;
      await sleep(50);
    }
    throw new Error('nginx did not start');
  }

  const post = (body: Record<string, unknown>, key = CLIENT_KEY) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }], ...body }),
    });

  before(async () => {
    requireBinary('nginx');
    redis = await startTestRedis();
    upstream = await startFakeUpstream();
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    replicas.push(...(await Promise.all(ports.map(startReplica))));
    url = await startNginx(ports);
  });
  after(async () => {
    nginx?.kill('SIGTERM');
    for (const replica of replicas) replica.process.kill('SIGKILL');
    await upstream.close();
    await redis.stop();
  });

  it('holds a rate limit across replicas', async () => {
    const created = await fetch(`${url}/v1/admin/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ name: 'limited', limits: { requests_per_minute: 6 } }),
    });
    const { key } = (await created.json()) as { key: string };
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await post({}, key)).status);
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200, 429, 429]);
  });

  it('serves a response cached through one replica as a hit through every other', async () => {
    const body = { temperature: 0, messages: [{ role: 'user', content: 'cache me across replicas' }] };
    expect((await post(body)).headers.get('x-cache')).to.equal('MISS');
    for (const replica of replicas) {
      const direct = await fetch(`http://127.0.0.1:${replica.port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
        body: JSON.stringify({ model: 'm', ...body }),
      });
      expect(direct.headers.get('x-cache'), `replica ${replica.port}`).to.equal('HIT');
    }
  });

  it('passes SSE through unbuffered: the first token arrives long before the stream ends', async () => {
    upstream.enqueue(sseScenario(openAiStream(Array.from({ length: 20 }, (_, i) => `t${i} `)), 60));
    const started = Date.now();
    const response = await post({ stream: true });
    const reader = response.body!.getReader();
    const first = await reader.read();
    const firstAt = Date.now() - started;
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += Buffer.from(value).toString('utf8');
    }
    const total = Date.now() - started;
    expect(Buffer.from(first.value!).toString('utf8')).to.include('chat.completion.chunk');
    expect(total).to.be.above(1_000);
    expect(firstAt).to.be.below(total / 3);
    expect(rest).to.include('[DONE]');
  });

  it('passes graphql-ws subscriptions through the WebSocket upgrade', async () => {
    upstream.enqueue(sseScenario(openAiStream(['over', ' nginx'])));
    const client = createClient({ url: `${url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${CLIENT_KEY}` } });
    const pieces: string[] = [];
    await new Promise<void>((resolve, reject) =>
      client.subscribe<{ chatCompletionStream: { choices: { delta: { content: string | null } }[] } }>(
        { query: 'subscription { chatCompletionStream(input: { model: "m", messages: [{ role: USER, content: "Hi" }] }) { choices { delta { content } } } }' },
        { next: (value) => pieces.push(value.data?.chatCompletionStream.choices[0]?.delta.content ?? ''), error: reject, complete: resolve },
      ),
    );
    await client.dispose();
    expect(pieces.join('')).to.equal('over nginx');
  });

  it('loses no request during a rolling restart under steady load', async () => {
    upstream.setDefault(() => ({ headers: { 'content-type': 'application/json' }, headerDelayMs: 20, pieces: [JSON.stringify({ id: 'x', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] })] }));
    const results: number[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        const response = await post({ temperature: 0.7 }).catch(() => undefined);
        results.push(response?.status ?? 0);
        await response?.arrayBuffer();
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, worker));
    await sleep(500);
    for (const [index, replica] of replicas.entries()) {
      replica.process.kill('SIGTERM');
      expect(await replica.exited, `replica ${replica.port} exit code`).to.equal(0);
      replicas[index] = await startReplica(replica.port);
    }
    await sleep(500);
    running = false;
    await load;
    const failures = results.filter((status) => status !== 200);
    expect(results.length).to.be.above(50);
    expect(failures, `${failures.length} of ${results.length} failed`).to.deep.equal([]);
  });
});
