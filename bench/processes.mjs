// What the benchmark and the profiler share: free ports, readiness waits, /proc readings, and
// starting Redis, the fake upstream and the gateway the way the image starts it.
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/**
 * Starts a throwaway Redis, the fake upstream and the gateway (production settings, auth on), each
 * pushed onto `children` for the caller to stop. `nodeFlags` go before the image's own.
 */
export async function startGatewayStack(children, { nodeFlags = [], env = {} } = {}) {
  const redisPort = await freePort();
  children.push(spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
  const upstreamPort = await freePort();
  const upstream = fork(path.join(here, 'fake-upstream.mjs'), [String(upstreamPort)], { stdio: 'ignore' });
  children.push(upstream);
  const gatewayPort = await freePort();
  const gateway = spawn(process.execPath, [...nodeFlags, ...imageCommand()], {
    cwd: root,
    stdio: 'ignore',
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(gatewayPort),
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      API_KEYS: `bench:${KEY}`,
      OPENROUTER_API_KEY: 'sk-bench-upstream',
      OPENROUTER_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
      // Load from one client would otherwise hit the default per-client limits.
      RATE_LIMIT_RPM: '0',
      RATE_LIMIT_TPM: '0',
      WS_MAX_CONNECTIONS_PER_CLIENT: '100000',
      ...env,
    },
  });
  children.push(gateway);
  await waitFor(`http://127.0.0.1:${upstreamPort}/v1/models`);
  await waitFor(`http://127.0.0.1:${gatewayPort}/health/ready`);
  return { upstream, upstreamPort, gateway, gatewayPort };
}
