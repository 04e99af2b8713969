// Where the gateway's CPU goes, counted by Linux perf rather than sampled by V8's profiler. V8's
// profiler samples on a wall-clock timer, so a thread preempted inside a loopback write is charged
// to `writev` as if it were computing; perf counts CPU only. Starts the lean gateway with
// --perf-basic-prof (JIT frames get names), loads it, records, and prints CPU by kind (kernel, GC,
// V8's slow paths, promise machinery, JSON, JavaScript) and the gateway's functions by the share of
// samples they appear in. Needs `perf` (Debian: linux-perf) and permission to record.
// Usage: node bench/perf.mjs [whole|whole-50|stream|stream-1] [seconds] [concurrency]   (after npm run build)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadFor, root, sleep, startGateway, startUpstream } from './processes.mjs';

const scenario = process.argv[2] ?? 'whole';
const seconds = Number(process.argv[3] ?? 6);
const concurrency = Number(process.argv[4] ?? (scenario.startsWith('whole') ? 50 : 100));
const children = [];

// `whole-50`: whole answers after 50 ms upstream, the latency tail's scenario. `stream-1`: one-token streams, what setting a stream up costs.
const REQUESTS = { whole: { model: 'bench-lat0', stream: false }, 'whole-50': { model: 'bench-lat50', stream: false }, stream: { model: 'bench-stream-100x5', stream: true }, 'stream-1': { model: 'bench-stream-1x5', stream: true } };
const request = REQUESTS[scenario];
if (request === undefined) throw new Error(`unknown scenario ${scenario}: one of ${Object.keys(REQUESTS).join(', ')}`);
const load = (port, seconds) => loadFor(port, { request, concurrency, seconds });

const KINDS = [
  ['kernel', (frame) => frame.includes('[kernel.kallsyms]') || /\[k\]/.test(frame)],
  ['garbage collection', (frame) => /Scaveng|ConcurrentMark|Sweep|MarkCompact|Marking|Evacuat|ArrayBufferSweeper|RememberedSet|SlotSet|IteratePointers|BodyDescriptor/.test(frame)],
  ['promises and generators', (frame) => /Promise|Microtask|AsyncGenerator|AsyncFunction|Generator|Await/.test(frame)],
  ['JSON', (frame) => /Json/.test(frame)],
  ["V8 compiling (what a warm replica no longer pays)", (frame) => /compiler::|turboshaft|maglev::|BytecodeGenerator|Parser::Parse/.test(frame)],
  ["V8's slow paths (megamorphic loads, lookups, map transitions)", (frame) => /Megamorphic|LookupIterator|StubCache|MigrateToMap|DescriptorArray|StringTable|TransitionsAccessor|Runtime_/.test(frame)],
  ['JavaScript: the gateway', (frame) => frame.includes('JS:') && frame.includes('/dist/src/')],
  ['JavaScript: packages', (frame) => frame.includes('JS:') && frame.includes('node_modules')],
  ['JavaScript: Node', (frame) => frame.includes('JS:') && frame.includes('node:')],
];

function summarise(script) {
  const kinds = new Map();
  const functions = new Map();
  let total = 0;
  for (const block of script.split('\n\n')) {
    const frames = block.split('\n').map((line) => line.trim()).filter((line) => line !== '').slice(1);
    if (frames.length === 0) continue;
    total++;
    const kind = KINDS.find(([, matches]) => matches(frames[0]))?.[0] ?? 'other native (V8, Node, libc)';
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    const seen = new Set();
    for (const frame of frames) {
      const match = /JS:[*~^]?(\S*) (\S*\/dist\/src\/\S+)/.exec(frame);
      if (match === null) continue;
      const name = `${match[1] || '(anonymous)'} ${match[2].split('/dist/src/')[1]}`;
      if (seen.has(name)) continue;
      seen.add(name);
      functions.set(name, (functions.get(name) ?? 0) + 1);
    }
  }
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, count]) => `${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`);
  console.log(`\nCPU by kind (${total} samples, leaf frame)\n${top(kinds, 20).join('\n')}`);
  console.log(`\nthe gateway's functions, by the share of samples they are on the stack of (nested calls count in each)\n${top(functions, 30).join('\n')}`);
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'gateway-perf-'));
let gatewayPid;
try {
  const { upstreamPort } = await startUpstream(children);
  const { gateway, gatewayPort } = await startGateway(children, { upstreamPort, nodeFlags: ['--perf-basic-prof'] });
  gatewayPid = gateway.pid;
  // A replica's steady state: after 2 s of load V8 was still compiling in 9% of samples, after 25 s in 0.7%.
  await load(gatewayPort, Number(process.env.PERF_WARM_UP ?? 20));
  const data = path.join(scratch, 'perf.data');
  const recorder = spawn('perf', ['record', '-F', '2000', '-g', '-p', String(gateway.pid), '-o', data, '--', 'sleep', String(seconds)], { stdio: 'ignore' });
  const recorded = new Promise((resolve, reject) => {
    recorder.once('exit', resolve);
    recorder.once('error', reject);
  });
  const done = await load(gatewayPort, seconds + 0.5);
  await recorded;
  console.log(`${scenario}, c=${concurrency}: ${done} ${scenario === 'whole' ? 'requests' : 'streams'} while recording`);
  summarise(execFileSync('perf', ['script', '-i', data, '-F', 'ip,sym,dso'], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
  await sleep(100);
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
  // --perf-basic-prof leaves its symbol map in /tmp and a V8 log in the working directory.
  if (gatewayPid !== undefined) rmSync(`/tmp/perf-${gatewayPid}.map`, { force: true });
  for (const name of readdirSync(root)) if (/^isolate-.*-v8\.log$/.test(name)) rmSync(path.join(root, name), { force: true });
}
