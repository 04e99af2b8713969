// Counts the work per request exactly rather than by sampling: the JavaScript functions a whole
// request or a stream calls, by V8's precise coverage (bench/call-count-preload.mjs), in the lean
// gateway and in the floor, after a warm-up. Prints calls per request by area (the gateway, Node,
// each package) side by side, then the functions called most often per request. Counts are exact
// but say nothing of what a call costs: the floor and the gateway make similar numbers of calls.
// Usage: node bench/calls.mjs [whole|stream] [requests] [functions to list]   (after npm run build)
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort, here, loadFor, postCompletion, root, sleep, startGateway, startUpstream } from './processes.mjs';

const scenario = process.argv[2] ?? 'whole';
const requests = Number(process.argv[3] ?? 1000);
const listed = Number(process.argv[4] ?? 40);
const request = scenario === 'stream' ? { model: 'bench-stream-100x0', stream: true } : { model: 'bench-lat0', stream: false };
const preload = ['--import', path.join(here, 'call-count-preload.mjs')];
const children = [];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'gateway-calls-'));

/** Takes the counts so far (resetting them), after `drive` has run. */
async function counted(target, out, drive) {
  await drive();
  await sleep(200);
  target.kill('SIGUSR2');
  await sleep(1_000);
  return JSON.parse(readFileSync(out, 'utf8')).result;
}

async function countsOf(name, start) {
  const out = path.join(scratch, name);
  const { target, port } = await start({ ...process.env, CALL_COUNT_OUT: out });
  // Warm, then reset the counts, then count a fixed number of requests, ten at a time.
  await counted(target, `${out}.0`, () => loadFor(port, { request, concurrency: 10, seconds: 3 }));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
  const scripts = await counted(target, `${out}.1`, async () => {
    for (let sent = 0; sent < requests; sent += 10) await Promise.all(Array.from({ length: 10 }, () => postCompletion(port, agent, request)));
  });
  agent.destroy();
  const byArea = new Map();
  const byFunction = new Map();
  for (const script of scripts) {
    const url = script.url.replace(`file://${root}/`, '');
    const area = url.startsWith('dist/') ? 'the gateway' : url.includes('node_modules/') ? url.split('node_modules/').at(-1).split('/')[0] : url.startsWith('node:') ? 'Node' : url;
    if (area === '' || area.startsWith('bench/call-count')) continue;
    for (const fn of script.functions) {
      const calls = fn.ranges[0].count / requests;
      if (calls === 0) continue;
      byArea.set(area, (byArea.get(area) ?? 0) + calls);
      const key = `${fn.functionName || '(anonymous)'} ${url}`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + calls);
    }
  }
  return { byArea, byFunction };
}

try {
  const { upstreamPort } = await startUpstream(children);
  const floor = await countsOf('floor', async (env) => {
    const port = await freePort();
    const target = fork(path.join(here, 'passthrough-proxy.mjs'), [String(port), String(upstreamPort)], { stdio: 'ignore', execArgv: preload, env });
    children.push(target);
    await sleep(800);
    return { target, port };
  });
  const gateway = await countsOf('gateway', async (env) => {
    const { gateway: target, gatewayPort: port } = await startGateway(children, { upstreamPort, nodeFlags: preload, env });
    return { target, port };
  });
  const unit = scenario === 'stream' ? 'stream (100 tokens)' : 'request';
  const total = (counts) => [...counts.byArea.values()].reduce((sum, calls) => sum + calls, 0);
  console.log(`\nJavaScript function calls per ${unit}, ${requests} counted\n`);
  console.log('| Area | Floor | Gateway |\n| --- | ---: | ---: |');
  const areas = [...new Set([...gateway.byArea.keys(), ...floor.byArea.keys()])].sort((a, b) => (gateway.byArea.get(b) ?? 0) - (gateway.byArea.get(a) ?? 0));
  for (const area of areas) console.log(`| ${area} | ${(floor.byArea.get(area) ?? 0).toFixed(1)} | ${(gateway.byArea.get(area) ?? 0).toFixed(1)} |`);
  console.log(`| all | ${total(floor).toFixed(0)} | ${total(gateway).toFixed(0)} |`);
  console.log(`\nthe gateway's most frequent calls per ${unit} (the floor's count beside)\n`);
  for (const [key, calls] of [...gateway.byFunction].sort((a, b) => b[1] - a[1]).slice(0, listed)) {
    console.log(`${calls.toFixed(2).padStart(9)} ${(floor.byFunction.get(key) ?? 0).toFixed(2).padStart(9)}  ${key}`);
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
}
