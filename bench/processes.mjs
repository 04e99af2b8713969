// What the benchmark and the profiler share: free ports, readiness waits, /proc readings, and
// starting Redis, the fake upstream and the gateway the way the image starts it.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runOnImageNode } from './image-node.mjs';

// Every tool imports this module first: from here on it runs on the image's Node.
runOnImageNode();

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..');
export const KEY = 'sk-bench-client-key-00000000000';
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The gateway's node arguments exactly as the image starts it (the Dockerfile's CMD), so its flags are measured too. */
export function imageCommand() {
  const cmd = readFileSync(path.join(root, 'Dockerfile'), 'utf8').split('\n').filter((line) => line.startsWith('CMD [')).at(-1);
  const [executable, ...args] = JSON.parse(cmd.slice('CMD '.length));
  if (executable !== 'node') throw new Error(`the image starts ${executable}, not node`);
  return args.map((arg) => (arg.endsWith('.js') ? path.join(root, arg) : arg));
}

export async function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(url, headers = {}) {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url, { headers }).then((response) => response.status < 500, () => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function peakRssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmHWM:'));
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

/** A throwaway Redis on a free port, pushed onto `children` for the caller to stop. */
export async function startRedis(children) {
  const redisPort = await freePort();
  children.push(spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
  return redisPort;
}

/**
 * Starts the built gateway the way the image starts it, in production mode, pointed at the fake
 * upstream. The production shape has Redis and API keys; the lean shape (`redisPort` undefined)
 * runs with neither, which is what the floor comparisons measure. Limits are off in both,
 * because one load generator would otherwise hit the default per-client limits.
 */
export async function startGateway(children, { upstreamPort, redisPort, nodeFlags = [], imageFlags, env = {} }) {
  const gatewayPort = await freePort();
  const shape = redisPort === undefined ? { AUTH_DISABLED: 'true' } : { REDIS_URL: `redis://127.0.0.1:${redisPort}`, API_KEYS: `bench:${KEY}` };
  // `imageFlags` replaces the image's node flags, to compare flag choices (bench/flags.mjs).
  const command = imageFlags === undefined ? imageCommand() : [...imageFlags, imageCommand().at(-1)];
  const gateway = spawn(process.execPath, [...nodeFlags, ...command], {
    cwd: root,
    stdio: 'ignore',
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      OPENROUTER_API_KEY: 'sk-bench-upstream',
      OPENROUTER_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
      RATE_LIMIT_RPM: '0',
      RATE_LIMIT_TPM: '0',
      WS_MAX_CONNECTIONS_PER_CLIENT: '100000',
      ...shape,
      ...env,
    },
  });
  children.push(gateway);
  await waitFor(`http://127.0.0.1:${gatewayPort}/health/ready`);
  return { gateway, gatewayPort };
}

/** Starts the fake upstream on a free port, pushed onto `children`. */
export async function startUpstream(children) {
  const upstreamPort = await freePort();
  const upstream = fork(path.join(here, 'fake-upstream.mjs'), [String(upstreamPort)], { stdio: 'ignore' });
  children.push(upstream);
  await waitFor(`http://127.0.0.1:${upstreamPort}/v1/models`);
  return { upstream, upstreamPort };
}

/**
 * The node:http floor (bench/passthrough-proxy.mjs) on a free port, pushed onto `children`, with
 * `nodeFlags` before it and `env` added; it reads its own port from FIRST_TOKEN_TRACE_PORT when
 * bench/first-token-marks.mjs is among the flags, so that is set too.
 */
export async function startProxy(children, upstreamPort, { nodeFlags = [], env = {} } = {}) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, path.join(here, 'passthrough-proxy.mjs'), String(port), String(upstreamPort)], {
    stdio: 'ignore',
    env: { ...process.env, FIRST_TOKEN_TRACE_PORT: String(port), ...env },
  });
  children.push(child);
  return { port, process: child };
}

/** Redis, the fake upstream and the gateway in its production shape (Redis on, auth on). */
export async function startGatewayStack(children, { nodeFlags = [], env = {}, lean = false } = {}) {
  const redisPort = lean ? undefined : await startRedis(children);
  const { upstream, upstreamPort } = await startUpstream(children);
  const { gateway, gatewayPort } = await startGateway(children, { upstreamPort, redisPort, nodeFlags, env });
  return { upstream, upstreamPort, gateway, gatewayPort };
}

/** One chat completion against a target on loopback, whole or streamed; resolves when its body has ended. */
export function postCompletion(port, agent, { model, stream }) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => response.resume().on('end', resolve));
    request.on('error', reject);
    request.end(JSON.stringify({ model, messages: [{ role: 'user', content: 'Benchmark question' }], temperature: 0.7, stream }));
  });
}

/**
 * Closed-loop load: `concurrency` clients each send `request` again as soon as its answer has
 * ended, for `seconds`; resolves with how many were answered.
 */
export async function loadFor(port, { request, concurrency, seconds }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const until = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < until) {
      await postCompletion(port, agent, request);
      done++;
    }
  }));
  agent.destroy();
  return done;
}

export function currentRssMb(pid) {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmRSS:'));
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}
