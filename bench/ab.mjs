// A/B of two builds on the same machine at the same time: builds a git ref (default HEAD) in a
// scratch worktree beside the working tree's build, starts both gateways lean (Redis and auth off)
// against one fake upstream, and alternates load between them, so a busy machine slows both alike.
// Prints CPU per request and requests/s per round and the median ratio of B (the working tree) to A.
// Usage: node bench/ab.mjs [git-ref] [whole|stream] [rounds]   (after npm run build)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { cpuSeconds, freePort, imageCommand, root, startUpstream, waitFor } from './processes.mjs';

const [ref = 'HEAD', scenario = 'whole', rounds = '5'] = process.argv.slice(2);
const children = [];

function buildRef() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-ab-'));
  execFileSync('git', ['worktree', 'add', '--detach', dir, ref], { cwd: root, stdio: 'ignore' });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  execFileSync('npm', ['run', 'build'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

async function startBuild(dir, upstreamPort) {
  const port = await freePort();
  const args = imageCommand().map((arg) => arg.replace(root, dir));
  const child = spawn(process.execPath, args, {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), AUTH_DISABLED: 'true', OPENROUTER_API_KEY: 'sk-bench', OPENROUTER_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`, RATE_LIMIT_RPM: '0', RATE_LIMIT_TPM: '0' },
  });
  children.push(child);
  await waitFor(`http://127.0.0.1:${port}/health/ready`);
  return { pid: child.pid, url: `http://127.0.0.1:${port}/v1/chat/completions` };
}

async function measure(target, seconds) {
  const body = JSON.stringify({ model: scenario === 'stream' ? 'bench-stream-100x5' : 'bench-lat0', messages: [{ role: 'user', content: 'Benchmark question' }], temperature: 0.7, stream: scenario === 'stream' });
  const before = cpuSeconds(target.pid);
  if (scenario === 'stream') {
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
const baseDir = buildRef();
try {
  const { upstreamPort } = await startUpstream(children);
  const a = await startBuild(baseDir, upstreamPort);
  const b = await startBuild(root, upstreamPort);
  await measure(a, 2);
  await measure(b, 2);
  const ratios = { cpu: [], rate: [] };
  for (let round = 0; round < Number(rounds); round++) {
    const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
    const one = await measure(first, 4);
    const two = await measure(second, 4);
    const [ra, rb] = first === a ? [one, two] : [two, one];
    ratios.cpu.push(rb.cpu / ra.cpu);
    ratios.rate.push(rb.rate / ra.rate);
    console.log(`round ${round + 1}: A ${ra.cpu.toFixed(0)} µs ${ra.rate.toFixed(0)}/s   B ${rb.cpu.toFixed(0)} µs ${rb.rate.toFixed(0)}/s`);
  }
  console.log(`${scenario}: B/A CPU per request ${median(ratios.cpu).toFixed(3)}, B/A rate ${median(ratios.rate).toFixed(3)} (median of ${rounds}; A = ${ref}, B = working tree)`);
} finally {
  for (const child of children) child.kill('SIGKILL');
  if (existsSync(baseDir)) {
    execFileSync('git', ['worktree', 'remove', '--force', baseDir], { cwd: root, stdio: 'ignore' });
    rmSync(baseDir, { recursive: true, force: true });
  }
}
