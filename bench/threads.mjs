// CPU per stream (or request) by thread, for the lean gateway and the floor: the event loop's own
// work apart from V8's worker threads (parallel scavenging, concurrent marking and sweeping,
// concurrent compiling) and libuv's pool, read from /proc/<pid>/task after a warm-up. A node flag
// moved from one thread to another shows here as a shift, not a saving. Each thread's context
// switches per stream (or request) are beside its CPU: a wake-up costs the shared processors more
// than its own CPU shows (the log's thread-pool writes, bench/README.md, "Nineteenth pass").
// Usage: node bench/threads.mjs [stream|whole|whole-50] [seconds] [-- node flags for the gateway]   (after npm run build)
import { fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { freePort, here, loadFor, startGateway, startUpstream, waitFor } from './processes.mjs';

const dash = process.argv.indexOf('--');
const args = dash === -1 ? process.argv.slice(2) : process.argv.slice(2, dash);
const nodeFlags = dash === -1 ? [] : process.argv.slice(dash + 1);
const scenario = args[0] ?? 'stream';
const seconds = Number(args[1] ?? 10);
const request = scenario === 'stream' ? { model: 'bench-stream-100x5', stream: true } : { model: scenario === 'whole-50' ? 'bench-lat50' : 'bench-lat0', stream: false };
const concurrency = scenario === 'stream' ? 100 : 50;
const children = [];

const load = (port, seconds) => loadFor(port, { request, concurrency, seconds });

/** CPU seconds and context switches so far of each thread of a process, by `tid:name`. */
function threadCounts(pid) {
  const counts = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8');
    const switches = [...status.matchAll(/ctxt_switches:\s+(\d+)/g)].reduce((total, match) => total + Number(match[1]), 0);
    counts.set(`${tid} ${name}`, { seconds: (Number(fields[11]) + Number(fields[12])) / 100, switches });
  }
  return counts;
}

async function measure(label, pid, port) {
  await load(port, 15);
  const before = threadCounts(pid);
  const done = await load(port, seconds);
  const after = threadCounts(pid);
  const rows = [...after]
    .map(([thread, { seconds, switches }]) => ({ thread, micros: ((seconds - (before.get(thread)?.seconds ?? 0)) * 1e6) / done, switches: (switches - (before.get(thread)?.switches ?? 0)) / done }))
    .filter(({ micros, switches }) => micros > 0 || switches > 0.01);
  const sum = (key) => rows.reduce((total, row) => total + row[key], 0);
  console.log(`\n${label}: ${done} ${scenario === 'stream' ? 'streams' : 'requests'}, ${sum('micros').toFixed(0)} µs of CPU and ${sum('switches').toFixed(2)} context switches each`);
  for (const { thread, micros, switches } of rows.sort((a, b) => b.micros - a.micros)) console.log(`${micros.toFixed(0).padStart(8)} µs ${switches.toFixed(2).padStart(7)} switches  ${thread}`);
}

try {
  const { upstreamPort } = await startUpstream(children);
  const { gateway, gatewayPort } = await startGateway(children, { upstreamPort, nodeFlags });
  await measure(`gateway${nodeFlags.length > 0 ? ` (${nodeFlags.join(' ')})` : ''}`, gateway.pid, gatewayPort);
  gateway.kill('SIGKILL');
  const proxyPort = await freePort();
  const proxy = fork(path.join(here, 'passthrough-proxy.mjs'), [String(proxyPort), String(upstreamPort)], { stdio: 'ignore' });
  children.push(proxy);
  await waitFor(`http://127.0.0.1:${proxyPort}/v1/models`);
  await measure('node:http floor', proxy.pid, proxyPort);
} finally {
  for (const child of children) child.kill('SIGKILL');
}
