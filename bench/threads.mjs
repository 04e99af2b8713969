// CPU per stream (or request) by thread, for the lean gateway and the floor: the event loop's own
// work apart from V8's worker threads (parallel scavenging, concurrent marking and sweeping,
// concurrent compiling) and libuv's pool, read from /proc/<pid>/task after a warm-up. A node flag
// moved from one thread to another shows here as a shift, not a saving.
// Usage: node bench/threads.mjs [stream|whole] [seconds] [-- node flags for the gateway]   (after npm run build)
import { fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { freePort, here, loadFor, startGateway, startUpstream, waitFor } from './processes.mjs';

const dash = process.argv.indexOf('--');
const args = dash === -1 ? process.argv.slice(2) : process.argv.slice(2, dash);
const nodeFlags = dash === -1 ? [] : process.argv.slice(dash + 1);
const scenario = args[0] ?? 'stream';
const seconds = Number(args[1] ?? 10);
const request = scenario === 'stream' ? { model: 'bench-stream-100x5', stream: true } : { model: 'bench-lat0', stream: false };
const concurrency = scenario === 'stream' ? 100 : 50;
const children = [];

const load = (port, seconds) => loadFor(port, { request, concurrency, seconds });

/** CPU seconds so far of each thread of a process, by `tid:name`. */
function threadSeconds(pid) {
  const seconds = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    seconds.set(`${tid} ${name}`, (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return seconds;
}

async function measure(label, pid, port) {
  await load(port, 15);
  const before = threadSeconds(pid);
  const done = await load(port, seconds);
  const after = threadSeconds(pid);
  const rows = [...after].map(([thread, total]) => [thread, ((total - (before.get(thread) ?? 0)) * 1e6) / done]).filter(([, micros]) => micros > 0);
  const sum = rows.reduce((total, [, micros]) => total + micros, 0);
  console.log(`\n${label}: ${done} ${scenario === 'stream' ? 'streams' : 'requests'}, ${sum.toFixed(0)} µs of CPU each`);
  for (const [thread, micros] of rows.sort((a, b) => b[1] - a[1])) console.log(`${micros.toFixed(0).padStart(8)} µs  ${thread}`);
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
