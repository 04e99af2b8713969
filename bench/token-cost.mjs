// What a streamed token costs, apart from what setting a stream up costs: the lean gateway and the
// node:http floor serve paced streams of 1 and of 100 tokens (5 ms apart, 100 at a time), and user
// and system CPU per stream are read from /proc. A token's cost is the difference between the two
// lengths over 99 tokens. Alternating rounds, medians; prints a table.
// Usage: [TOKEN_COST_SHAPE=routed] node bench/token-cost.mjs [rounds] [seconds]   (after npm run build)
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort, here, postCompletion, sleep, startGateway, startUpstream, waitFor } from './processes.mjs';

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 6);
const CONCURRENCY = Number(process.env.TOKEN_COST_CONCURRENCY ?? 100);
const children = [];

function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(fields[11]) * 1e4, system: Number(fields[12]) * 1e4 };
}

/** CPU per stream over `seconds` of back-to-back streams at CONCURRENCY. */
async function measure(target, model) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const until = Date.now() + seconds * 1000;
  const before = cpuMicros(target.pid);
  let done = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < until) {
      await postCompletion(target.port, agent, { model, stream: true });
      done++;
    }
  }));
  const after = cpuMicros(target.pid);
  agent.destroy();
  return { user: (after.user - before.user) / done, system: (after.system - before.system) / done };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

try {
  const { upstreamPort } = await startUpstream(children);
  const proxyPort = await freePort();
  const proxy = fork(path.join(here, 'passthrough-proxy.mjs'), [String(proxyPort), String(upstreamPort)], { stdio: 'ignore' });
  children.push(proxy);
  await waitFor(`http://127.0.0.1:${proxyPort}/v1/models`);
  const { gateway, gatewayPort } = await startGateway(children, { upstreamPort });
  const targets = [
    { name: 'node:http floor', pid: proxy.pid, port: proxyPort },
    { name: 'this gateway', pid: gateway.pid, port: gatewayPort },
  ];
  // TOKEN_COST_SHAPE=routed: the upstream's chunks in OpenRouter's shape (bench/fake-upstream.mjs).
  const shape = process.env.TOKEN_COST_SHAPE === undefined ? '' : `-${process.env.TOKEN_COST_SHAPE}`;
  const models = { one: `bench-stream-1x5${shape}`, hundred: `bench-stream-100x5${shape}` };
  // A warm replica's costs: V8 compiles the stream path over its first seconds of streams.
  for (const target of targets) for (const model of Object.values(models)) await measure(target, model);
  const samples = new Map(targets.map((target) => [target.name, { one: [], hundred: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
      for (const [length, model] of Object.entries(models)) {
        samples.get(target.name)[length].push(await measure(target, model));
        await sleep(200);
      }
    }
    console.error(`round ${round + 1} of ${rounds} done`);
  }
  const rows = targets.map(({ name }) => {
    const { one, hundred } = samples.get(name);
    const setup = { user: median(one.map((cpu) => cpu.user)), system: median(one.map((cpu) => cpu.system)) };
    const whole = { user: median(hundred.map((cpu) => cpu.user)), system: median(hundred.map((cpu) => cpu.system)) };
    return { name, setup, whole, perToken: { user: (whole.user - setup.user) / 99, system: (whole.system - setup.system) / 99 } };
  });
  const floor = rows[0];
  console.log('\n| Target | 1-token stream, user + system µs | 100-token stream, user + system µs | per token, user + system µs | per token x floor |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    const token = row.perToken.user + row.perToken.system;
    const floorToken = floor.perToken.user + floor.perToken.system;
    console.log(`| ${row.name} | ${row.setup.user.toFixed(0)} + ${row.setup.system.toFixed(0)} | ${row.whole.user.toFixed(0)} + ${row.whole.system.toFixed(0)} | ${row.perToken.user.toFixed(1)} + ${row.perToken.system.toFixed(1)} | ${(token / floorToken).toFixed(2)}x |`);
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
}
