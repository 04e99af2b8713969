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
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { here, sleep, startGateway, startProxy, startUpstream } from './processes.mjs';
import { buildRef, removeRef, startBuild } from './ab-runner.mjs';
import { collectMarks, FIRST_TOKEN_PHASES, firstToken, firstTokenCells, medianOf } from './first-token-client.mjs';

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
  const floor = await startProxy(children, upstreamPort, { nodeFlags: preload, env: marksTo('floor') });
  // The floor holding a stream's head until its first content, as the gateway does for its fallback contract.
  const held = await startProxy(children, upstreamPort, { nodeFlags: preload, env: { ...marksTo('held'), HOLD_HEAD: '1' } });
  await sleep(500);

  const targets = [
    { name: 'this gateway', port: gatewayPort, process: gateway, out: path.join(scratch, 'gateway.json') },
    { name: 'node:http floor', ...floor, out: path.join(scratch, 'floor.json') },
    { name: 'floor, head held to the first token', ...held, out: path.join(scratch, 'held.json') },
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
  console.log(`one stream at a time, ${count} a target in turn, model ${model}; medians in ms\n`);
  console.log(`| Target | first token | over direct | ${FIRST_TOKEN_PHASES.join(' | ')} |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const target of targets.slice(0, -1)) {
    const rows = await collectMarks(target);
    console.log(`| ${target.name} | ${firstTokenCells(rows, direct).join(' | ')} |`);
  }
  console.log(`| direct | ${(direct / 1000).toFixed(3)} | | | | | | |`);
  for (const target of targets) target.agent.destroy();
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
  if (refDir !== undefined) removeRef(refDir);
}
