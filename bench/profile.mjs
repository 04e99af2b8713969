// Profiles the gateway's hot path: starts Redis, the fake upstream and the built gateway under
// --cpu-prof, drives one scenario with autocannon, stops the gateway cleanly so V8 writes the
// profile, and prints where the time went: by package, by function, and by the nearest gateway or
// package frame (so Node's own HTTP and socket work is charged to whoever asked for it).
// Usage: node bench/profile.mjs [whole|whole-50|cache|stream|stream-paced|stream-short|models] [seconds] [lean]   (after npm run build)
// "lean" profiles the gateway with Redis and auth off, as the benchmark's floor comparisons run it.
// "whole-50" is a whole answer after 50 ms upstream, the latency-tail scenario.
// "stream" is 100 tokens at once (CPU-bound); "stream-paced" is the benchmark's 100 tokens 5 ms apart.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { cpuSeconds, KEY, root, startGatewayStack } from './processes.mjs';

const scenario = process.argv[2] ?? 'whole';
const seconds = Number(process.argv[3] ?? 8);
const lean = process.argv[4] === 'lean';
const children = [];

function summarise(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const byFunction = new Map();
  const byPackage = new Map();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const { callFrame } = byId.get(id);
    total += micros;
    const where = callFrame.url.replace(/^file:\/\//, '').replace(root, '');
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ?? (where.startsWith('/dist/') ? 'gateway' : where === '' ? `(${callFrame.functionName || 'native'})` : where.startsWith('node:') ? 'node core' : where);
    const fn = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  }
  // Inclusive time: a node's own samples plus its descendants', credited once per function on a stack.
  const parentOf = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const inclusive = new Map();
  for (const [id, micros] of selfMicros) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parentOf.get(at)) {
      const { callFrame } = byId.get(at);
      const where = callFrame.url.replace(/^file:\/\//, '').replace(root, '');
      if (!where.startsWith('/dist/')) continue;
      const fn = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
      if (seen.has(fn)) continue;
      seen.add(fn);
      inclusive.set(fn, (inclusive.get(fn) ?? 0) + micros);
    }
  }
  // Owner: the nearest frame on the stack in the gateway or a package, so Node's own work (HTTP
  // parsing, socket writes) is charged to whoever asked for it.
  const owners = new Map();
  for (const [id, micros] of selfMicros) {
    let owner = '(node core, no caller)';
    for (let at = id; at !== undefined; at = parentOf.get(at)) {
      const { callFrame } = byId.get(at);
      const where = callFrame.url.replace(/^file:\/\//, '').replace(root, '');
      if (where.startsWith('/dist/') || where.includes('node_modules')) {
        owner = `${callFrame.functionName || '(anonymous)'} ${where}:${callFrame.lineNumber + 1}`;
        break;
      }
      if (callFrame.functionName === '(idle)' || callFrame.functionName === '(garbage collector)' || callFrame.functionName === '(program)') {
        owner = callFrame.functionName;
        break;
      }
    }
    owners.set(owner, (owners.get(owner) ?? 0) + micros);
  }
  const areas = new Map();
  for (const [owner, micros] of owners) {
    const where = owner.split(' ')[1] ?? '';
    const area = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1] ?? /\/dist\/src\/([^/]+)/.exec(where)?.[1]?.replace(/\.js$/, '') ?? owner;
    if (area === '(idle)') continue;
    areas.set(area, (areas.get(area) ?? 0) + micros);
  }
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, micros]) => `${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`);
  console.log('\nself time by package\n' + top(byPackage, 25).join('\n'));
  console.log('\nself time by function\n' + top(byFunction, 45).join('\n'));
  console.log('\nbusy time by area (gateway folder or package, Node work charged to its caller)\n' + top(areas, 30).join('\n'));
  console.log('\nself time charged to the nearest gateway or package frame\n' + top(owners, 60).join('\n'));
  console.log('\ninclusive time of the gateway\'s own functions\n' + top(inclusive, 45).join('\n'));
}

try {
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'gateway-profile-'));
  const { gateway, gatewayPort } = await startGatewayStack(children, {
    lean,
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    // The profile is written at exit; no need to wait out the load balancer delay.
    env: { SHUTDOWN_DELAY_MS: '0' },
  });
  const model = scenario === 'stream' ? 'bench-stream-100x0' : scenario === 'stream-paced' ? 'bench-stream-100x5' : scenario === 'stream-short' ? 'bench-stream-3x0' : scenario === 'whole-50' ? 'bench-lat50' : 'bench-lat0';
  const extra = scenario === 'cache' ? { temperature: 0 } : scenario.startsWith('stream') ? { stream: true } : { temperature: 0.7 };
  const cpuBefore = cpuSeconds(gateway.pid);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${KEY}` };
  const request =
    scenario === 'models'
      ? { url: `http://127.0.0.1:${gatewayPort}/v1/models`, headers }
      : { url: `http://127.0.0.1:${gatewayPort}/v1/chat/completions`, method: 'POST', headers, body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Benchmark question' }], ...extra }) };
  const result = await autocannon({
    ...request,
    connections: 50,
    duration: seconds,
  });
  const cpuMicros = ((cpuSeconds(gateway.pid) - cpuBefore) * 1e6) / result['2xx'];
  console.log(`${scenario}: ${cpuMicros.toFixed(0)} µs CPU per request (all threads, with the profiler's own cost), ${result.requests.average} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`);
  const exited = new Promise((resolve) => gateway.once('exit', resolve));
  gateway.kill('SIGTERM');
  await exited;
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('the gateway wrote no profile');
  console.log(`profile: ${path.join(profileDir, file)}`);
  summarise(JSON.parse(readFileSync(path.join(profileDir, file), 'utf8')));
} finally {
  for (const child of children) child.kill('SIGKILL');
}
