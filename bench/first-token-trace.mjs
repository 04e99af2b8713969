// Where the time to a first token goes at one stream at a time, for the lean gateway, the
// node:http floor and the floor holding a stream's head and events until its first content (what
// the gateway's contract, a real status until the first token, costs a bare proxy: HOLD_HEAD in
// bench/passthrough-proxy.mjs), each with bench/first-token-marks.mjs preloaded. One client sends
// short streams (3 tokens 5 ms apart, as the benchmark's are paced, or the model given) to each of
// them and the upstream direct in turn, request by request: measured one target after another, the
// first measured read 0.2-0.3 ms slower, enough to pass for a gain (bench/README.md, "Twelfth
// pass"). Prints each target's medians: time to the first token, and its phases on one clock.
// With REF=<git ref> the ref's build (built in a scratch worktree, as bench/ab.mjs builds it) is
// a fourth target in the same rotation: an A/B of the time to a first token.
// Usage: [REF=<git ref>] node bench/first-token-trace.mjs [requests per target] [model]   (after npm run build)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort, here, sleep, startGateway, startUpstream } from './processes.mjs';
import { buildRef, removeRef, startBuild } from './ab-runner.mjs';
import { firstToken, medianOf } from './first-token-client.mjs';

const count = Number(process.argv[2] ?? 400);
const model = process.argv[3] ?? 'bench-stream-3x5';
const children = [];
const scratch = mkdtempSync(path.join(os.tmpdir(), 'first-token-'));
const refDir = process.env.REF === undefined ? undefined : buildRef(process.env.REF);
try {
  const { upstreamPort } = await startUpstream(children);
  const marksTo = (name) => ({ FIRST_TOKEN_TRACE_UPSTREAM_PORT: String(upstreamPort), FIRST_TOKEN_TRACE_OUT: path.join(scratch, `${name}.json`) });
  const preload = ['--import', path.join(here, 'first-token-marks.mjs')];
  const { gateway, gatewayPort } = await startGateway(children, { upstreamPort, nodeFlags: preload, env: marksTo('gateway') });
  const floorPort = await freePort();
  const floor = spawn(process.execPath, [...preload, path.join(here, 'passthrough-proxy.mjs'), String(floorPort), String(upstreamPort)], {
    stdio: 'ignore',
    env: { ...process.env, ...marksTo('floor'), FIRST_TOKEN_TRACE_PORT: String(floorPort) },
  });
  children.push(floor);
  // The floor holding a stream's head until its first content, as the gateway does for its fallback contract.
  const heldPort = await freePort();
  const held = spawn(process.execPath, [...preload, path.join(here, 'passthrough-proxy.mjs'), String(heldPort), String(upstreamPort)], {
    stdio: 'ignore',
    env: { ...process.env, ...marksTo('held'), FIRST_TOKEN_TRACE_PORT: String(heldPort), HOLD_HEAD: '1' },
  });
  children.push(held);
  await sleep(500);

  const targets = [
    { name: 'this gateway', port: gatewayPort, process: gateway, out: path.join(scratch, 'gateway.json') },
    { name: 'node:http floor', port: floorPort, process: floor, out: path.join(scratch, 'floor.json') },
    { name: 'floor, head held to the first token', port: heldPort, process: held, out: path.join(scratch, 'held.json') },
  ];
  if (refDir !== undefined) {
    const ref = await startBuild(children, refDir, upstreamPort, { nodeFlags: preload, env: marksTo('ref') });
    targets.push({ name: `the gateway at ${process.env.REF}`, port: ref.port, process: ref.process, out: path.join(scratch, 'ref.json') });
  }
  targets.push({ name: 'direct', port: upstreamPort });
  for (const target of targets) {
    target.agent = new http.Agent({ keepAlive: true });
    target.times = [];
  }
  for (let i = 0; i < 200; i++) for (const target of targets) await firstToken(target.port, target.agent, model);
  for (let i = 0; i < count; i++) {
    // The order turns each time, so no target always follows the same one.
    for (let k = 0; k < targets.length; k++) {
      const target = targets[(i + k) % targets.length];
      target.times.push(await firstToken(target.port, target.agent, model));
    }
  }
  const directTarget = targets.at(-1);
  const direct = medianOf(directTarget.times.map((time) => time.first - time.sent));
  const ms = (micros) => (micros === undefined ? '' : (micros / 1000).toFixed(3));
  console.log(`one stream at a time, ${count} a target in turn, model ${model}; medians in ms\n`);
  console.log('| Target | first token | over direct | sent -> arrived | arrived -> upstream written | upstream written -> its headers | first token in -> out | out -> client |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const target of targets.slice(0, -1)) {
    target.process.kill('SIGUSR2');
    for (let waited = 0; !existsSync(target.out) && waited < 5_000; waited += 50) await sleep(50);
    const bySent = new Map(target.times.map((time) => [time.sent, time.first]));
    const rows = JSON.parse(readFileSync(target.out, 'utf8'))
      .map((mark) => ({ ...mark, first: bySent.get(mark.sent) }))
      .filter((mark) => mark.first !== undefined && mark.tokenOut !== undefined);
    const phase = (of) => ms(medianOf(rows.map(of)));
    const ttft = medianOf(rows.map((mark) => mark.first - mark.sent));
    console.log(`| ${target.name} | ${ms(ttft)} | ${ms(ttft - direct)} | ${phase((m) => m.arrived - m.sent)} | ${phase((m) => m.upstreamWritten - m.arrived)} | ${phase((m) => m.upstreamHeaders - m.upstreamWritten)} | ${phase((m) => m.tokenOut - m.tokenIn)} | ${phase((m) => m.first - m.tokenOut)} |`);
  }
  console.log(`| direct | ${ms(direct)} | | | | | | |`);
  for (const target of targets) target.agent.destroy();
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
  if (refDir !== undefined) removeRef(refDir);
}
