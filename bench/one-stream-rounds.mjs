// One stream at a time, as the benchmark's one-stream scenario sends them: the gateway (started with
// its image's node flags, or with GATEWAY_FLAGS in their place), the node:http floor and the floor holding its head, each with
// bench/first-token-marks.mjs preloaded, warmed as `npm run bench` warms a target, then measured in
// rounds of back-to-back streams, one target after another, so each target idles while the others
// run. Prints each target's first-token time and its phases per round and over all rounds. The
// eighteenth pass found with it that the gateway's later rounds ran slower than its first (set-up
// 0.55 ms against 0.29): V8's memory reducer had collected the idle process in between.
// Usage: [GATEWAY_FLAGS='--flag ...'] node bench/one-stream-rounds.mjs [streams a round] [model]   (after npm run build)
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { collectMarks, FIRST_TOKEN_PHASES, firstToken, firstTokenCells, medianOf } from './first-token-client.mjs';
import { here, loadFor, sleep, startGateway, startProxy, startUpstream } from './processes.mjs';

const count = Number(process.argv[2] ?? 24);
const model = process.argv[3] ?? 'bench-stream-100x5';
const ROUNDS = 3;
const children = [];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'one-stream-rounds-'));

try {
  const { upstreamPort } = await startUpstream(children);
  const marksTo = (name) => ({ FIRST_TOKEN_TRACE_UPSTREAM_PORT: String(upstreamPort), FIRST_TOKEN_TRACE_OUT: path.join(scratch, `${name}.json`) });
  const preload = ['--import', path.join(here, 'first-token-marks.mjs')];
  const imageFlags = process.env.GATEWAY_FLAGS === undefined ? undefined : process.env.GATEWAY_FLAGS.split(' ').filter(Boolean);
  const { gateway, gatewayPort } = await startGateway(children, { upstreamPort, nodeFlags: preload, imageFlags, env: marksTo('gateway') });
  const proxy = async (name, env) => ({ name, ...(await startProxy(children, upstreamPort, { nodeFlags: preload, env: { ...marksTo(name), ...env } })), out: path.join(scratch, `${name}.json`) });
  const targets = [
    { name: 'this gateway', port: gatewayPort, process: gateway, out: path.join(scratch, 'gateway.json') },
    await proxy('node:http floor', {}),
    await proxy('floor, head held', { HOLD_HEAD: '1' }),
    { name: 'direct', port: upstreamPort },
  ];
  await sleep(500);
  // As bench/run.mjs warms a target before its scenarios: 8 s of whole requests, 4 s of short streams.
  await loadFor(gatewayPort, { request: { model: 'bench-lat0', stream: false }, concurrency: 50, seconds: 8 });
  await loadFor(gatewayPort, { request: { model: 'bench-stream-20x0', stream: true }, concurrency: 50, seconds: 4 });
  for (const target of targets) {
    target.agent = new http.Agent({ keepAlive: true });
    target.times = [];
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of targets) {
      for (let i = 0; i < 3; i++) await firstToken(target.port, target.agent, model);
      for (let i = 0; i < count; i++) target.times.push({ ...(await firstToken(target.port, target.agent, model)), round });
    }
  }
  const direct = medianOf(targets.at(-1).times.map((time) => time.first - time.sent));
  console.log(`one stream at a time, ${ROUNDS} rounds of ${count} streams of ${model} a target; medians in ms\n`);
  console.log(`| Target | round | first token | over direct | ${FIRST_TOKEN_PHASES.join(' | ')} |`);
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const target of targets.slice(0, -1)) {
    const marks = await collectMarks(target);
    const row = (label, rows) => console.log(`| ${target.name} | ${label} | ${firstTokenCells(rows, direct).join(' | ')} |`);
    for (let round = 0; round < ROUNDS; round++) row(String(round + 1), marks.filter((mark) => mark.round === round));
    row('all', marks);
  }
  console.log(`| direct | all | ${(direct / 1000).toFixed(3)} | | | | | | |`);
  for (const target of targets) target.agent.destroy();
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
}
