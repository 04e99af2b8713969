// What sets the TTFT p99 of 100 streams at a time: the lean gateway and the node:http floor (both
// with bench/stream-wave-marks.mjs preloaded) serve the benchmark's c=100 scenario (100 paced
// tokens, 100 clients each sending again as soon as its stream ends), in turn and for several
// rounds, once with the clients' connections opened during the scenario's warm-up (100 clients) and
// once with 96 of them opened by the measured clients themselves (a warm-up of 4, as the benchmark
// warmed these scenarios until the thirteenth pass). The 100 clients start together, so the first
// 100 streams arrive as one wave. Prints medians over the rounds: TTFT p50 and p99, the first
// wave's slowest, and where the first wave's slowest tenth waited, on the targets' clock: from the
// client's send to its connection's accept (new connections only), to the request being parsed,
// and to the head going out with the first token.
// Usage: node bench/stream-wave.mjs [rounds] [seconds]   (after npm run build)
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort, here, sleep, startGateway, startUpstream, waitFor } from './processes.mjs';

const rounds = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 4);
const CONCURRENCY = 100;
const WARM_UP_SECONDS = 2;
const children = [];
const now = () => Number(process.hrtime.bigint() / 1000n);
let nextId = 0;

/** One paced stream; resolves with its id, when it was sent (µs) and its TTFT (ms). */
function stream(port, agent) {
  return new Promise((resolve) => {
    const id = String(nextId++);
    const sent = now();
    let text = '';
    let ttft = NaN;
    const request = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-wave-id': id } }, (response) => {
      response.on('data', (chunk) => {
        if (!Number.isNaN(ttft)) return;
        text += chunk.toString('utf8');
        if (text.includes('"content":"t')) ttft = (now() - sent) / 1000;
      });
      response.on('end', () => resolve({ id, sent, ttft }));
    });
    request.on('error', () => resolve({ id, sent, ttft: NaN }));
    request.end(JSON.stringify({ model: 'bench-stream-100x5', messages: [{ role: 'user', content: 'Benchmark question' }], temperature: 0.7, stream: true }));
  });
}

async function clients(port, agent, count, until) {
  const results = [];
  await Promise.all(Array.from({ length: count }, async () => {
    while (performance.now() < until) results.push(await stream(port, agent));
  }));
  return results;
}

const quantile = (values, q) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const median = (values) => quantile(values, 0.5);

async function measure(target, warmClients) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  await clients(target.port, agent, warmClients, performance.now() + WARM_UP_SECONDS * 1000);
  const results = await clients(target.port, agent, CONCURRENCY, performance.now() + seconds * 1000);
  agent.destroy();
  const firstWave = results.slice().sort((a, b) => a.sent - b.sent).slice(0, CONCURRENCY);
  target.process.kill('SIGUSR2');
  for (let waited = 0; !existsSync(target.out) && waited < 5_000; waited += 50) await sleep(50);
  const marks = new Map(JSON.parse(readFileSync(target.out, 'utf8')).map((mark) => [mark.id, mark]));
  rmSync(target.out);
  const slowest = firstWave.sort((a, b) => b.ttft - a.ttft).slice(0, CONCURRENCY / 10);
  const phase = (of) => median(slowest.map((result) => {
    const mark = marks.get(result.id);
    return mark === undefined ? NaN : of(mark, result);
  }));
  return {
    p50: quantile(results.map((result) => result.ttft), 0.5),
    p99: quantile(results.map((result) => result.ttft), 0.99),
    waveMax: Math.max(...firstWave.map((result) => result.ttft)),
    toAccept: phase((mark, result) => (mark.accepted === undefined ? NaN : (mark.accepted - result.sent) / 1000)),
    toParsed: phase((mark, result) => (mark.parsed - result.sent) / 1000),
    toHead: phase((mark, result) => (mark.head - result.sent) / 1000),
  };
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'stream-wave-'));
try {
  const { upstreamPort } = await startUpstream(children);
  const preload = ['--import', path.join(here, 'stream-wave-marks.mjs')];
  const gatewayOut = path.join(scratch, 'gateway.json');
  const { gateway, gatewayPort } = await startGateway(children, { upstreamPort, nodeFlags: preload, env: { STREAM_WAVE_OUT: gatewayOut } });
  const floorPort = await freePort();
  const floorOut = path.join(scratch, 'floor.json');
  const floor = spawn(process.execPath, [...preload, path.join(here, 'passthrough-proxy.mjs'), String(floorPort), String(upstreamPort)], { stdio: 'ignore', env: { ...process.env, STREAM_WAVE_OUT: floorOut } });
  children.push(floor);
  await waitFor(`http://127.0.0.1:${floorPort}/v1/models`);
  const targets = [
    { name: 'this gateway', port: gatewayPort, process: gateway, out: gatewayOut },
    { name: 'node:http floor', port: floorPort, process: floor, out: floorOut },
  ];
  const modes = [
    { name: 'new connections', warmClients: 4 },
    { name: 'warm connections', warmClients: CONCURRENCY },
  ];
  const rows = new Map();
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < targets.length * modes.length; k++) {
      const index = (round + k) % (targets.length * modes.length);
      const target = targets[index % targets.length];
      const mode = modes[Math.floor(index / targets.length)];
      const key = `${target.name}|${mode.name}`;
      if (!rows.has(key)) rows.set(key, []);
      rows.get(key).push(await measure(target, mode.warmClients));
    }
    console.error(`round ${round + 1} of ${rounds} done`);
  }
  const ms = (value) => (Number.isFinite(value) ? value.toFixed(1) : '');
  console.log(`\n${CONCURRENCY} paced streams at a time, ${seconds} s a measurement, medians of ${rounds} rounds (ms)\n`);
  console.log('| Target | connections | TTFT p50 | TTFT p99 | first wave, slowest | p99 rounds | slowest tenth of the first wave: sent -> accepted | -> parsed | -> head out |');
  console.log('| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |');
  for (const mode of modes) {
    for (const target of targets) {
      const results = rows.get(`${target.name}|${mode.name}`);
      const of = (key) => ms(median(results.map((result) => result[key])));
      console.log(`| ${target.name} | ${mode.name} | ${of('p50')} | ${of('p99')} | ${of('waveMax')} | ${results.map((result) => ms(result.p99)).join(' / ')} | ${of('toAccept')} | ${of('toParsed')} | ${of('toHead')} |`);
    }
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
}
