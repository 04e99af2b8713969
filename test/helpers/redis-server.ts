/**
 * A throwaway redis-server on a free loopback port, owned by one test: it can be killed and
 * restarted on the same port to test outages, and it is always stopped afterwards. The shared
 * Redis on 6379 is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port.js';
import { requireBinary } from './system-binary.js';
import { Redis } from 'ioredis';

export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Kills the server (an outage); `start` brings it back on the same port, empty. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open and commands hang, as with a stuck Redis. */
  pause(): void;
  resume(): void;
  /** Kills the server and closes the test's clients, for good. */
  stop(): Promise<void>;
  /** A plain client for assertions (no key prefix). */
  client(): Redis;
}

async function waitForPing(port: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}

/** Kills every throwaway server still running when the test process exits: one listener for all of them. */
const running = new Set<() => void>();
process.once('exit', () => {
  for (const kill of running) kill();
});

export async function startTestRedis(): Promise<TestRedis> {
  requireBinary('redis-server');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const clients: Redis[] = [];

  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
      stdio: 'ignore',
    });
    await waitForPing(port);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGCONT');
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  const killOnExit = () => child?.kill('SIGKILL');
  running.add(killOnExit);

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    kill: stop,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop: async () => {
      for (const client of clients.splice(0)) client.disconnect();
      await stop();
      running.delete(killOnExit);
    },
    client: () => {
      const client = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      client.on('error', () => undefined);
      clients.push(client);
      return client;
    },
  };
}
