// Benchmarks the gateway against the floor and a peer, side by side, in one run on loopback:
// direct to a fake upstream, a node:http pass-through proxy (the floor), this gateway with Redis,
// auth and limits off, the same build in its production shape (Redis on, auth on), and Portkey's
// open-source gateway. Prints one table and the targets as met or missed, writes
// bench/results/*.json and latest.md, and stops every process it started.
// BENCH_SMOKE=1 runs a short pass that only proves the harness works.
import { fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { cpuSeconds, currentRssMb, freePort, here, KEY, peakRssMb, root, sleep, startGateway, startRedis, startUpstream, waitFor } from './processes.mjs';
import { floorNote, publish } from './report.mjs';

const smoke = process.env.BENCH_SMOKE === '1';
const DURATION = smoke ? 1 : 4;
// One stream at a time, a 100-token stream takes half a second: in DURATION a round saw 8 first
// tokens, and its median moved by 0.3 ms between runs of the same build (the held floor read -0.06
// to +0.64 ms against the floor by round, over two runs), the target's whole margin. Three times as
// long, 24 a round.
const ONE_STREAM_DURATION = smoke ? 1 : 12;
const WARMUP = smoke ? 0.5 : 2;
// Before anything is measured, every target serves this long at load, whole and streamed: a replica
// serves for hours on compiled code, and V8 needs seconds of traffic to get there. Measured: the
// gateway's CPU per request read 962, 713 and 340 µs over its first three 2-second windows at load
// and about 250 µs from the fourth on (the floor's little code is compiled at once), and 9% of its
// CPU was V8 compiling after 2 s of load against 0.7% after 25 s (bench/README.md).
const WARM_UP = smoke ? 0.5 : 8;
// Each scenario runs its targets in rounds, the order rotated each round; every figure is the
// median of its rounds, and a comparison of two targets' CPU or rates the median of the rounds'
// comparisons: this machine is shared, and a burst of other work during one target's turn would
// otherwise decide a ratio (one round once read the floor at 0.92x direct).
// BENCH_ROUNDS sets the rounds.
const ROUNDS = smoke ? 1 : Number(process.env.BENCH_ROUNDS ?? 3);
const OPEN_STREAMS = smoke ? 200 : 2000;
const children = [];

function track(child) {
  children.push(child);
  return child;
}

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const TOKENS_PER_STREAM = 100;
const HELD_FLOOR = 'floor, head held';

async function startAll() {
  const redisPort = await startRedis(children);
  const { upstream, upstreamPort } = await startUpstream(children);
  const { gateway, gatewayPort } = await startGateway(children, { upstreamPort });
  const production = await startGateway(children, { upstreamPort, redisPort });
  const proxyPort = await freePort();
  const proxy = track(fork(path.join(here, 'passthrough-proxy.mjs'), [String(proxyPort), String(upstreamPort)], { stdio: 'ignore' }));
  // The floor holding a stream's head to its first content, as the gateway does so that a failure
  // before it still gets a real status: what that contract costs any proxy, in the one-stream row.
  const heldPort = await freePort();
  const held = track(fork(path.join(here, 'passthrough-proxy.mjs'), [String(heldPort), String(upstreamPort)], { stdio: 'ignore', env: { ...process.env, HOLD_HEAD: '1' } }));
  const minimalPort = await freePort();
  const minimal = track(fork(path.join(here, 'minimal-gateway.mjs'), [String(minimalPort), String(upstreamPort)], { stdio: 'ignore' }));
  const portkeyPort = await freePort();
  const portkey = track(spawn(process.execPath, [path.join(here, 'node_modules/@portkey-ai/gateway/build/start-server.js'), `--port=${portkeyPort}`, '--headless'], { stdio: 'ignore' }));
  await waitFor(`http://127.0.0.1:${proxyPort}/v1/models`);
  await waitFor(`http://127.0.0.1:${heldPort}/v1/models`);
  await sleep(300);
  await waitFor(`http://127.0.0.1:${portkeyPort}/`);
  const json = { 'content-type': 'application/json' };
  return {
    gatewayPort,
    productionPort: production.gatewayPort,
    // Read before any load: what a replica holds while it waits for traffic.
    idleRssMb: currentRssMb(gateway.pid),
    targets: [
      { name: 'direct', pid: upstream.pid, url: `http://127.0.0.1:${upstreamPort}/v1/chat/completions`, headers: json },
      { name: 'node:http floor', pid: proxy.pid, url: `http://127.0.0.1:${proxyPort}/v1/chat/completions`, headers: json },
      { name: 'this gateway', pid: gateway.pid, url: `http://127.0.0.1:${gatewayPort}/v1/chat/completions`, headers: json },
      {
        name: 'portkey',
        pid: portkey.pid,
        url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
        headers: { ...json, authorization: 'Bearer sk-bench-upstream', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `http://127.0.0.1:${upstreamPort}/v1` },
      },
    ],
    held: { name: HELD_FLOOR, pid: held.pid, url: `http://127.0.0.1:${heldPort}/v1/chat/completions`, headers: json },
    minimal: { name: 'minimal JSON gateway', pid: minimal.pid, url: `http://127.0.0.1:${minimalPort}/v1/chat/completions`, headers: json },
    production: { name: 'gateway, Redis + auth', pid: production.gateway.pid, url: `http://127.0.0.1:${production.gatewayPort}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${KEY}` } },
  };
}

function body(model, extra = {}) {
  return JSON.stringify({ model, messages: [{ role: 'user', content: 'Benchmark question' }], temperature: 0.7, ...extra });
}

/** Load before measuring (WARM_UP): whole requests for every target, streams too for those the stream scenarios measure. */
async function warmUp(target, withStreams, connections) {
  await autocannon({ url: target.url, method: 'POST', headers: target.headers, body: body('bench-lat0'), connections, duration: WARM_UP });
  if (withStreams) await streams(target, connections, 'bench-stream-20x0', false, WARM_UP / 2);
}

async function load(target, model, connections, extra = {}, warm = true) {
  const options = { url: target.url, method: 'POST', headers: target.headers, body: body(model, extra), connections };
  if (warm) await autocannon({ ...options, duration: WARMUP });
  const cpuBefore = cpuSeconds(target.pid);
  const result = await autocannon({ ...options, duration: DURATION });
  const cpu = cpuSeconds(target.pid) - cpuBefore;
  const ok = result['2xx'];
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuMicros: ok > 0 ? (cpu * 1e6) / ok : NaN,
  };
}

/** One streamed request; resolves with time to first token and total time in ms. */
function streamOnce(target, agent, model) {
  return new Promise((resolve) => {
    const started = performance.now();
    let first = NaN;
    let text = '';
    const request = http.request(target.url, { method: 'POST', headers: target.headers, agent }, (response) => {
      response.on('data', (chunk) => {
        text += chunk.toString('utf8');
        if (Number.isNaN(first) && text.includes('"content":"t')) first = performance.now() - started;
      });
      response.on('end', () => resolve({ ok: response.statusCode === 200 && text.includes('[DONE]'), ttft: first, total: performance.now() - started }));
    });
    request.on('error', () => resolve({ ok: false, ttft: NaN, total: NaN }));
    request.end(body(model, { stream: true }));
  });
}

async function streams(target, concurrency, model, warm = true, seconds = DURATION) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const results = [];
  const worker = (until) => async () => {
    while (performance.now() < until) results.push(await streamOnce(target, agent, model));
  };
  // Every client's connection is open before the clock starts: the first round warms the target for
  // WARMUP s at the scenario's concurrency, a later round sends one stream per client. Opened by the
  // measured clients instead, 96 connections arrived in the first wave, and libuv accepts one
  // connection per turn of the event loop, so the last were accepted after 95 busy turns of every
  // other stream's set-up and tokens: that wait, not serving a stream, was the round's TTFT p99, and
  // the floor's own read 47 to 101 ms over three identical rounds (bench/README.md, "Thirteenth pass").
  if (warm) await Promise.all(Array.from({ length: concurrency }, worker(performance.now() + WARMUP * 1000)));
  else await Promise.all(Array.from({ length: concurrency }, () => streamOnce(target, agent, model)));
  results.length = 0;
  const cpuBefore = cpuSeconds(target.pid);
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker(performance.now() + seconds * 1000)));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(target.pid) - cpuBefore;
  agent.destroy();
  const ok = results.filter((result) => result.ok);
  return {
    rps: ok.length / elapsed,
    p50: percentile(ok.map((result) => result.total), 50),
    p99: percentile(ok.map((result) => result.total), 99),
    ttftP50: percentile(ok.map((result) => result.ttft), 50),
    ttftP99: percentile(ok.map((result) => result.ttft), 99),
    errors: results.length - ok.length,
    cpuMicros: ok.length > 0 ? (cpu * 1e6) / ok.length : NaN,
  };
}

async function openStreams(target, count) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const results = await Promise.all(Array.from({ length: count }, () => streamOnce(target, agent, 'bench-stream-50x40')));
  agent.destroy();
  const ok = results.filter((result) => result.ok).length;
  return { rps: NaN, p50: percentile(results.map((result) => result.total), 50), p99: NaN, errors: count - ok, successRate: ok / count };
}

async function subscriptions(gatewayPort, seconds = DURATION) {
  const client = createClient({ url: `ws://127.0.0.1:${gatewayPort}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${KEY}` }, lazy: false });
  const query = 'subscription($i: ChatCompletionInput!) { chatCompletionStream(input: $i) { choices { delta { content } } } }';
  const results = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const started = performance.now();
    let first = NaN;
    let ok = true;
    for await (const event of client.iterate({ query, variables: { i: { model: 'bench-stream-100x5', temperature: 0.7, messages: [{ role: 'USER', content: 'Benchmark question' }] } } })) {
      if (event.errors) ok = false;
      if (Number.isNaN(first) && event.data?.chatCompletionStream.choices[0]?.delta.content?.startsWith('t')) first = performance.now() - started;
    }
    results.push({ ok, ttft: first, total: performance.now() - started });
  }
  await client.dispose();
  const good = results.filter((result) => result.ok);
  return { rps: good.length / seconds, p50: percentile(good.map((r) => r.total), 50), p99: percentile(good.map((r) => r.total), 99), ttftP50: percentile(good.map((r) => r.ttft), 50), errors: results.length - good.length };
}

const rows = [];
/** Each scenario's results per target, round by round, for the checks that pair two targets. */
const roundsOf = new Map();
/** Which target went when in each round: with roundsOf, kept in the results so a round's outlier can be traced to its place. */
const roundOrders = [];
function record(scenario, target, result, peak) {
  rows.push({ scenario, target, ...result, peakRssMb: peak });
  const fmt = (value, digits = 1) => (value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits));
  console.log(`${scenario.padEnd(34)} ${target.padEnd(16)} ${fmt(result.rps, 0).padStart(8)} ${fmt(result.p50).padStart(8)} ${fmt(result.p99).padStart(8)} ${fmt(result.ttftP50, 2).padStart(8)} ${fmt(result.cpuMicros, 0).padStart(7)} ${String(result.errors ?? '').padStart(6)}`);
}

/** Each figure's median over the rounds (errors summed). */
function medianOf(results) {
  if (results.length === 1) return results[0];
  const median = (values) => {
    const known = values.filter((value) => value !== undefined && !Number.isNaN(value)).sort((a, b) => a - b);
    return known.length === 0 ? NaN : known[Math.floor(known.length / 2)];
  };
  const merged = {};
  for (const key of Object.keys(results[0])) merged[key] = key === 'errors' ? results.reduce((sum, result) => sum + result[key], 0) : median(results.map((result) => result[key]));
  return merged;
}

/** Rotates the starting target per scenario and round, so no target always runs first or last. */
function rotated(targets, index) {
  return [...targets.slice(index % targets.length), ...targets.slice(0, index % targets.length)];
}

let idleRss = NaN;
let peakUnderLoad = NaN;

async function main() {
  const { targets, production, minimal, held, gatewayPort, idleRssMb } = await startAll();
  idleRss = idleRssMb;
  console.log(`${'scenario'.padEnd(34)} ${'target'.padEnd(16)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'ttft ms'.padStart(8)} ${'cpu µs'.padStart(7)} ${'errors'.padStart(6)}`);
  let scenarioIndex = 0;
  const c50 = smoke ? 20 : 50;
  for (const target of [...targets, held, production, minimal]) await warmUp(target, targets.includes(target) || target === held, c50);
  /** Runs `measure` for every target in ROUNDS rounds, rotating the order, and records each target's medians. */
  const inRounds = async (scenario, scenarioTargets, measure) => {
    const byTarget = new Map(scenarioTargets.map((target) => [target, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = rotated(scenarioTargets, scenarioIndex + round);
      roundOrders.push({ scenario, round: round + 1, order: order.map((target) => target.name) });
      for (const target of order) byTarget.get(target).push(await measure(target, round === 0));
    }
    scenarioIndex++;
    for (const [target, results] of byTarget) {
      roundsOf.set(`${scenario}|${target.name}`, results);
      record(scenario, target.name, medianOf(results), peakRssMb(target.pid));
    }
  };
  for (const latency of [0, 50]) {
    // The production shape and the minimal reference only where the targets compare CPU per request.
    const withProduction = latency === 0 ? [...targets, production, minimal] : targets;
    await inRounds(`whole, ${latency} ms upstream, c=${c50}`, withProduction, (target, warm) => load(target, `bench-lat${latency}`, c50, {}, warm));
  }
  const gateway = targets.find((target) => target.name === 'this gateway');
  await inRounds(`cache hit, c=${c50}`, [gateway], (target, warm) => load(target, 'bench-lat0', c50, { temperature: 0 }, warm));
  for (const concurrency of smoke ? [1, 10] : [1, 100]) {
    // The held floor only where the one-stream target compares a first token's overhead.
    const streamTargets = concurrency === 1 ? [...targets, held] : targets;
    const seconds = concurrency === 1 ? ONE_STREAM_DURATION : DURATION;
    await inRounds(`stream ${TOKENS_PER_STREAM} tokens x 5 ms, c=${concurrency}`, streamTargets, (target, warm) => streams(target, concurrency, `bench-stream-${TOKENS_PER_STREAM}x5`, warm, seconds));
  }
  record('stream via graphql-ws, c=1', gateway.name, await subscriptions(gatewayPort), peakRssMb(gateway.pid));
  // The burst below is its own question (memory per open stream), so the peak under the steady
  // scenarios is read before it.
  peakUnderLoad = peakRssMb(gateway.pid);
  for (const target of rotated(targets, scenarioIndex++)) {
    record(`${OPEN_STREAMS} open streams at once`, target.name, await openStreams(target, OPEN_STREAMS), peakRssMb(target.pid));
  }
  return targets;
}

function checks() {
  const find = (scenario, target) => rows.find((row) => row.scenario === scenario && row.target === target);
  const c50 = smoke ? 20 : 50;
  const whole0 = `whole, 0 ms upstream, c=${c50}`;
  const whole50 = `whole, 50 ms upstream, c=${c50}`;
  const streams1 = `stream ${TOKENS_PER_STREAM} tokens x 5 ms, c=1`;
  const streams100 = `stream ${TOKENS_PER_STREAM} tokens x 5 ms, c=${smoke ? 10 : 100}`;
  const gw = (scenario) => find(scenario, 'this gateway');
  const floor = (scenario) => find(scenario, 'node:http floor');
  const direct = (scenario) => find(scenario, 'direct');
  const atMost = (value, limit) => value <= limit;
  const atLeast = (value, limit) => value >= limit;
  const ratio = (a, b) => a / b;
  const difference = (a, b) => a - b;
  const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
  /**
   * A comparison of two targets' mean figures (CPU per request or stream, requests or streams per
   * second), taken round by round (both measured in the same round) and the median of those: a
   * spell of other work on this shared machine slows a pair alike, where it would move one
   * target's median and not the other's.
   */
  const paired = (scenario, a, b, key, combine) => {
    const ofA = roundsOf.get(`${scenario}|${a}`);
    const ofB = roundsOf.get(`${scenario}|${b}`);
    if (ofA === undefined || ofB === undefined) return { value: combine(find(scenario, a)[key], find(scenario, b)[key]) };
    const rounds = ofA.map((result, index) => combine(result[key], ofB[index][key]));
    return { value: median(rounds), rounds };
  };
  const one = (value) => ({ value });
  /**
   * A comparison of two targets' percentiles, from each target's median over the rounds. A
   * round's percentile is already an order statistic of that round's noise, and a ratio of two of
   * them per round multiplies it: one run's TTFT p99 ratios read 4.43, 5.86 and 1.13 by round.
   */
  const ofMedians = (scenario, a, b, key, combine) => ({ value: combine(find(scenario, a)[key], find(scenario, b)[key]) });
  /**
   * An overhead over direct, beside the floor's own (what a bare Node proxy adds on this machine in
   * the same run) and, where measured, the held floor's (a bare proxy that holds a stream's head to
   * its first token, as the gateway's contract does).
   */
  const overhead = (scenario, key) => {
    const heldRow = find(scenario, HELD_FLOOR);
    return { ...ofMedians(scenario, 'this gateway', 'direct', key, difference), floor: floor(scenario)[key] - direct(scenario)[key], ...(heldRow === undefined ? {} : { held: heldRow[key] - direct(scenario)[key] }) };
  };
  return [
    ['CPU per request (0 ms, c=50) <= 2.5x the floor', paired(whole0, 'this gateway', 'node:http floor', 'cpuMicros', ratio), 2.5, atMost, 'x'],
    ['req/s at 0 ms, c=50 >= 0.4x the floor', paired(whole0, 'this gateway', 'node:http floor', 'rps', ratio), 0.4, atLeast, 'x'],
    ['req/s at 0 ms, c=50 >= 3x Portkey', paired(whole0, 'this gateway', 'portkey', 'rps', ratio), 3, atLeast, 'x'],
    ['CPU per streamed token (c=100) <= 1.5x the floor', paired(streams100, 'this gateway', 'node:http floor', 'cpuMicros', ratio), 1.5, atMost, 'x'],
    ['streams/s at c=100 >= 0.92x direct', paired(streams100, 'this gateway', 'direct', 'rps', ratio), 0.92, atLeast, 'x'],
    ['TTFT p99 at c=100 <= 2x the floor', ofMedians(streams100, 'this gateway', 'node:http floor', 'ttftP99', ratio), 2, atMost, 'x'],
    ['TTFT overhead p50, one stream <= 1 ms', overhead(streams1, 'ttftP50'), 1, atMost, 'ms'],
    ['p99 overhead at 50 ms upstream, c=50 <= 10 ms', overhead(whole50, 'p99'), 10, atMost, 'ms'],
    ['peak RSS under load <= 150 MB', one(peakUnderLoad), 150, atMost, 'MB'],
    ['idle RSS <= 80 MB', one(idleRss), 80, atMost, 'MB'],
    ['CPU per request with Redis + auth <= 1.3x both off', paired(whole0, 'gateway, Redis + auth', 'this gateway', 'cpuMicros', ratio), 1.3, atMost, 'x'],
  ].map(([name, { value, rounds, floor: ofFloor, held: ofHeld }, threshold, pass, unit]) => ({
    name,
    value,
    ...(rounds === undefined ? {} : { rounds }),
    ...(ofFloor === undefined ? {} : { floor: ofFloor }),
    ...(ofHeld === undefined ? {} : { held: ofHeld }),
    threshold,
    unit,
    met: pass(value, threshold),
  }));
}

function versions() {
  const read = (file) => JSON.parse(readFileSync(file, 'utf8')).version;
  return {
    node: process.version,
    gateway: read(path.join(root, 'package.json')),
    portkey: read(path.join(here, 'node_modules/@portkey-ai/gateway/package.json')),
    autocannon: read(path.join(here, 'node_modules/autocannon/package.json')),
  };
}

try {
  await main();
  const targetChecks = checks();
  console.log('');
  for (const check of targetChecks) console.log(`${check.met ? 'met   ' : 'MISSED'} ${check.name}: ${check.value.toFixed(2)} ${check.unit}${check.rounds === undefined || check.rounds.length < 2 ? '' : ` (rounds: ${check.rounds.map((value) => value.toFixed(2)).join(' / ')})`}${floorNote(check, (value) => value.toFixed(2))}`);
  const meta = { date: new Date().toISOString(), machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, versions: versions(), rounds: ROUNDS, warmUpSeconds: WARM_UP, streamClientsConnectedFirst: true, smoke };
  const dir = path.join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const name = smoke ? 'smoke' : meta.date.slice(0, 19).replace(/[:T]/g, '-');
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ meta, rows, checks: targetChecks, rounds: { byTarget: Object.fromEntries(roundsOf), orders: roundOrders } }, null, 2));
  publish({ meta, rows, checks: targetChecks });
  console.log(`\nresults written to bench/results/${name}.json`);
} finally {
  for (const child of children) child.kill('SIGKILL');
}
