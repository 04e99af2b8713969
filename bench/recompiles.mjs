// What V8 still compiles once the gateway is warm: starts the lean gateway with --trace-opt and
// --trace-gc, warms it as `npm run bench` does (whole requests, short streams, then the measured
// scenario), and over one window of the scenario prints CPU per request or stream, full collections,
// and the Turbofan compiles by function with the time each took (on V8's worker threads: CPU the
// gateway pays). A function compiled again and again in a warm replica is code V8 drops: a closure
// that runs once, at a request's end, loses its optimized code at each full collection.
// Usage: node bench/recompiles.mjs [stream|stream-1|whole] [seconds]   (after npm run build; TOP=n rows)
import { spawn } from 'node:child_process';
import { openSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort, imageCommand, loadFor, root, startUpstream, waitFor } from './processes.mjs';
const scenario = process.argv[2] ?? 'stream';
const seconds = Number(process.argv[3] ?? 18);
const children = [];
const cpu = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 1e4; };
try {
  const { upstreamPort } = await startUpstream(children);
  const gatewayPort = await freePort();
  const file = path.join(os.tmpdir(), `gateway-recompiles-${process.pid}.txt`);
  const out = openSync(file, 'w');
  const gateway = spawn(process.execPath, ['--trace-opt', '--trace-file-names', '--trace-gc', ...imageCommand()], {
    cwd: root, stdio: ['ignore', out, out],
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(gatewayPort), OPENROUTER_API_KEY: 'x', OPENROUTER_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`, RATE_LIMIT_RPM: '0', RATE_LIMIT_TPM: '0', AUTH_DISABLED: 'true' },
  });
  children.push(gateway);
  await waitFor(`http://127.0.0.1:${gatewayPort}/health/ready`);
  const url = `http://127.0.0.1:${gatewayPort}/v1/chat/completions`;
  const body = (model, s) => JSON.stringify({ model, messages: [{ role: 'user', content: 'Benchmark question' }], temperature: 0.7, stream: s });
  const whole = (seconds, model = 'bench-lat0') => autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: body(model, false), connections: 50, duration: seconds });
  await whole(8);
  await loadFor(gatewayPort, { request: { model: 'bench-stream-20x0', stream: true }, concurrency: 50, seconds: 4 });
  await whole(18);
  await loadFor(gatewayPort, { request: { model: 'bench-stream-100x5', stream: true }, concurrency: 100, seconds: 8 });
  const at = statSync(file).size;
  const before = cpu(gateway.pid);
  let done;
  if (scenario === 'whole') done = (await whole(seconds))['2xx'];
  else done = await loadFor(gatewayPort, { request: { model: scenario === 'stream-1' ? 'bench-stream-1x5' : 'bench-stream-100x5', stream: true }, concurrency: 100, seconds });
  const used = cpu(gateway.pid) - before;
  const text = readFileSync(file, 'utf8').slice(at);
  const ms = new Map();
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /<JSFunction (\S*) ?<([^>]*)>.*took ([0-9.]+), ([0-9.]+), ([0-9.]+) ms/.exec(line);
    if (!m) continue;
    const key = `${m[1] || '(anon)'} ${m[2].replace('file:///work/main/dist/src/', '').replace('file:///work/main/', '')}`;
    const t = Number(m[3]) + Number(m[4]) + Number(m[5]);
    total += t;
    const e = ms.get(key) ?? { t: 0, n: 0 };
    e.t += t; e.n++;
    ms.set(key, e);
  }
  const fulls = (text.match(/Mark-Compact/g) ?? []).length;
  // Pauses as --trace-gc prints them ("n / m ms"), plus the marking a full collection did beforehand.
  const gcMs = { scavenge: 0, full: 0 };
  for (const m of text.matchAll(/(Scavenge|Mark-Compact)[^,]*, pooled: [0-9.]+ MB, ([0-9.]+) \/ [0-9.]+ ms(?:\s+\(\+ ([0-9.]+) ms in)?/g)) {
    if (m[1] === 'Scavenge') gcMs.scavenge += Number(m[2]);
    else gcMs.full += Number(m[2]) + Number(m[3] ?? 0);
  }
  console.log(`${scenario}: ${done} in ${seconds} s, ${(used / done).toFixed(0)} us CPU each, ${fulls} full collections (${(gcMs.full * 1000 / done).toFixed(0)} us each), scavenges ${(gcMs.scavenge * 1000 / done).toFixed(0)} us each, compiles ${[...ms.values()].reduce((s, e) => s + e.n, 0)} taking ${total.toFixed(0)} ms = ${(total * 1000 / done).toFixed(0)} us each`);
  for (const [key, e] of [...ms].sort((a, b) => b[1].t - a[1].t).slice(0, Number(process.env.TOP ?? 25))) console.log(`${e.t.toFixed(1).padStart(7)} ms ${String(e.n).padStart(3)}  ${key}`);
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(path.join(os.tmpdir(), `gateway-recompiles-${process.pid}.txt`), { force: true });
}
