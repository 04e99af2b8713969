// The A/B method shared by bench/ab.mjs (two git refs) and bench/bounds.mjs (a build and the same
// build with one part cut out): both gateways lean (Redis and auth off) against one fake upstream,
// load alternating between them round by round, so a busy machine slows both alike. Its pieces
// (a ref's build, a marked copy of the build, a build started lean) also serve
// bench/first-token-trace.mjs and bench/setup-phases.mjs.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { cpuSeconds, freePort, imageCommand, root, sleep, startUpstream, waitFor } from './processes.mjs';

/**
 * A copy of the working tree's build with text put before anchors in its compiled JavaScript, as
 * [file, anchor, text] (bench/bounds.mjs cuts parts out, bench/setup-phases.mjs marks phases). An
 * anchor the code no longer has stops the tool with its name, rather than measuring something else.
 * Returns the copy's directory; remove it with removeCopy.
 */
export function copyBuildWith(edits, label) {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'gateway-copy-'));
  cpSync(path.join(root, 'dist'), path.join(copy, 'dist'), { recursive: true });
  cpSync(path.join(root, 'package.json'), path.join(copy, 'package.json'));
  symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  for (const [file, anchor, text] of edits) {
    const target = path.join(copy, file);
    const source = readFileSync(target, 'utf8');
    if (!source.includes(anchor)) {
      rmSync(copy, { recursive: true, force: true });
      throw new Error(`${label} no longer applies: ${file} has no "${anchor}"`);
    }
    writeFileSync(target, source.replace(anchor, `${text}${anchor}`));
  }
  return copy;
}

export function removeCopy(copy) {
  rmSync(copy, { recursive: true, force: true });
}

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

/**
 * Where a build's log lines go: nowhere, or with BENCH_LOG_READER=1 into a pipe a process of its own
 * reads, as a container's log driver does (the reader is woken by what the build writes).
 */
function logReader(children) {
  if (process.env.BENCH_LOG_READER !== '1') return 'ignore';
  const reader = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
  children.push(reader);
  return reader.stdin;
}

/** The build in `dir`, started lean as the image starts it; `nodeFlags` and `env` are added. */
export async function startBuild(children, dir, upstreamPort, { nodeFlags = [], env = {} } = {}) {
  const port = await freePort();
  const args = imageCommand().map((arg) => arg.replace(root, dir));
  const child = spawn(process.execPath, [...nodeFlags, ...args], {
    cwd: dir,
    stdio: ['ignore', logReader(children), 'ignore'],
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), AUTH_DISABLED: 'true', OPENROUTER_API_KEY: 'sk-bench', OPENROUTER_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`, RATE_LIMIT_RPM: '0', RATE_LIMIT_TPM: '0', ...env },
  });
  children.push(child);
  await waitFor(`http://127.0.0.1:${port}/health/ready`);
  return { pid: child.pid, process: child, port, url: `http://127.0.0.1:${port}/v1/chat/completions` };
}

/**
 * What each scenario sends: a whole answer (`whole-50`: after 50 ms upstream, the benchmark's p99
 * scenario), a stream of 100 tokens, or one of a single token (a stream's set-up).
 */
const MODELS = { whole: 'bench-lat0', 'whole-50': 'bench-lat50', stream: 'bench-stream-100x5', 'stream-1': 'bench-stream-1x5' };

async function measure(target, scenario, seconds) {
  const model = MODELS[scenario];
  if (model === undefined) throw new Error(`unknown scenario ${scenario}: one of ${Object.keys(MODELS).join(', ')}`);
  const streaming = scenario.startsWith('stream');
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
    return { cpu: ((cpuSeconds(target.pid) - before) * 1e6) / done, rate: done / seconds, p99: NaN };
  }
  const result = await autocannon({ url: target.url, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 50, duration: seconds });
  return { cpu: ((cpuSeconds(target.pid) - before) * 1e6) / result['2xx'], rate: result.requests.average, p99: result.latency.p99 };
}

/** How long both builds idle after starting, before their warm-ups (`AB_START_IDLE_MS`, to test the need for it). */
const START_IDLE_MS = Number(process.env.AB_START_IDLE_MS ?? 12_000);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs the A/B rounds between the builds in `dirA` and `dirB`; prints each round and returns the median ratios of B to A. */
export async function compareBuilds(dirA, dirB, scenario, rounds) {
  const children = [];
  try {
    const { upstreamPort } = await startUpstream(children);
    const a = await startBuild(children, dirA, upstreamPort);
    const b = await startBuild(children, dirB, upstreamPort);
    // Both idle first, as every target of bench/run.mjs does while the others warm: a gateway whose
    // first load, at once after its start, was one-token streams cost about a quarter more per stream
    // for its whole life than one left idle for seconds first (the same build against itself, A
    // loaded at once: 0.76 and 0.79; both idle 12 s: 0.999). Without this, B, idle while A warmed, was favoured.
    await sleep(START_IDLE_MS);
    // Both warm before the rounds: a replica compiles its hot path over its first seconds of load.
    await measure(a, scenario, 8);
    await measure(b, scenario, 8);
    const ratios = { cpu: [], rate: [], p99: [] };
    for (let round = 0; round < rounds; round++) {
      const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
      const one = await measure(first, scenario, 4);
      const two = await measure(second, scenario, 4);
      const [ra, rb] = first === a ? [one, two] : [two, one];
      ratios.cpu.push(rb.cpu / ra.cpu);
      ratios.rate.push(rb.rate / ra.rate);
      ratios.p99.push(rb.p99 / ra.p99);
      const p99 = (result) => (Number.isNaN(result.p99) ? '' : ` p99 ${result.p99} ms`);
      console.log(`round ${round + 1}: A ${ra.cpu.toFixed(0)} µs ${ra.rate.toFixed(0)}/s${p99(ra)}   B ${rb.cpu.toFixed(0)} µs ${rb.rate.toFixed(0)}/s${p99(rb)}`);
    }
    return { cpu: median(ratios.cpu), rate: median(ratios.rate), p99: median(ratios.p99) };
  } finally {
    for (const child of children) child.kill('SIGKILL');
  }
}
