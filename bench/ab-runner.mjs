// The A/B method shared by bench/ab.mjs (two git refs) and bench/bounds.mjs (a build and the same
// build with one part cut out): both gateways lean (Redis and auth off) against one fake upstream,
// load alternating between them round by round, so a busy machine slows both alike.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { cpuSeconds, freePort, imageCommand, root, startUpstream, waitFor } from './processes.mjs';

/** Builds a git ref in a scratch worktree beside the working tree (sharing its node_modules); returns the worktree. */
export function buildRef(ref) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-ab-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: root, stdio: 'ignore' });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

export function removeRef(dir) {
  if (!existsSync(dir)) return;
  execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

/** The build in `dir`, started lean as the image starts it; `nodeFlags` and `env` are added. */
export async function startBuild(children, dir, upstreamPort, { nodeFlags = [], env = {} } = {}) {
  const port = await freePort();
  const args = imageCommand().map((arg) => arg.replace(root, dir));
  const child = spawn(process.execPath, [...nodeFlags, ...args], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), AUTH_DISABLED: 'true', OPENROUTER_API_KEY: 'sk-bench', OPENROUTER_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`, RATE_LIMIT_RPM: '0', RATE_LIMIT_TPM: '0', ...env },
  });
  children.push(child);
  await waitFor(`http://127.0.0.1:${port}/health/ready`);
  return { pid: child.pid, process: child, port, url: `http://127.0.0.1:${port}/v1/chat/completions` };
}

/** What each scenario sends: a whole answer, a stream of 100 tokens, or one of a single token (a stream's set-up). */
const MODELS = { whole: 'bench-lat0', stream: 'bench-stream-100x5', 'stream-1': 'bench-stream-1x5' };

async function measure(target, scenario, seconds) {
  const model = MODELS[scenario];
  if (model === undefined) throw new Error(`unknown scenario ${scenario}: one of ${Object.keys(MODELS).join(', ')}`);
  const streaming = scenario !== 'whole';
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Benchmark question' }], temperature: 0.7, stream: streaming });
  const before = cpuSeconds(target.pid);
  if (streaming) {
    const agent = new http.Agent({ keepAlive: true });
    let done = 0;
    const until = performance.now() + seconds * 1000;
    const one = () => new Promise((resolve) => {
      const request = http.request(target.url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => response.resume().on('end', resolve));
      request.on('error', resolve);
      request.end(body);
    });
    await Promise.all(Array.from({ length: 100 }, async () => { while (performance.now() < until) { await one(); done++; } }));
    agent.destroy();
    return { cpu: ((cpuSeconds(target.pid) - before) * 1e6) / done, rate: done / seconds };
  }
  const result = await autocannon({ url: target.url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 50, duration: seconds });
  return { cpu: ((cpuSeconds(target.pid) - before) * 1e6) / result['2xx'], rate: result.requests.average };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs the A/B rounds between the builds in `dirA` and `dirB`; prints each round and returns the median ratios of B to A. */
export async function compareBuilds(dirA, dirB, scenario, rounds) {
  const children = [];
  try {
    const { upstreamPort } = await startUpstream(children);
    const a = await startBuild(children, dirA, upstreamPort);
    const b = await startBuild(children, dirB, upstreamPort);
    // Both warm before the rounds: a replica compiles its hot path over its first seconds of load.
    await measure(a, scenario, 8);
    await measure(b, scenario, 8);
    const ratios = { cpu: [], rate: [] };
    for (let round = 0; round < rounds; round++) {
      const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
      const one = await measure(first, scenario, 4);
      const two = await measure(second, scenario, 4);
      const [ra, rb] = first === a ? [one, two] : [two, one];
      ratios.cpu.push(rb.cpu / ra.cpu);
      ratios.rate.push(rb.rate / ra.rate);
      console.log(`round ${round + 1}: A ${ra.cpu.toFixed(0)} µs ${ra.rate.toFixed(0)}/s   B ${rb.cpu.toFixed(0)} µs ${rb.rate.toFixed(0)}/s`);
    }
    return { cpu: median(ratios.cpu), rate: median(ratios.rate) };
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}
