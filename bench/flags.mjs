// Compares node flag choices for the image's CMD: starts the lean gateway once per choice, in turn
// and for several rounds, and prints idle RSS, peak RSS, CPU per request and p99 latency under the
// benchmark's whole-request load (c=50; 0 ms upstream, or 50 ms with LATENCY=50), or with
// SCENARIO=stream CPU per 100-token stream and streams/s at c=100 (no p99: a closed loop of streams
// paced by the upstream). Usage (after npm run build):
//   node bench/flags.mjs '[["--max-semi-space-size=8"], ["--max-semi-space-size=4", "--heap-growing-percent=50"]]' [rounds]
import autocannon from 'autocannon';
import { cpuSeconds, currentRssMb, loadFor, peakRssMb, sleep, startGateway, startUpstream } from './processes.mjs';

const choices = JSON.parse(process.argv[2] ?? '[]');
const rounds = Number(process.argv[3] ?? 3);
const streaming = process.env.SCENARIO === 'stream';
const children = [];
const body = JSON.stringify({ model: `bench-lat${process.env.LATENCY ?? 0}`, messages: [{ role: 'user', content: 'Benchmark question' }], temperature: 0.7 });
const results = new Map(choices.map((flags) => [flags.join(' '), []]));

/** CPU per answer (µs) and answers/s over `seconds` of the scenario's load, after a warm-up. */
async function measure(gateway, gatewayPort) {
  if (streaming) {
    const stream = { request: { model: 'bench-stream-100x5', stream: true }, concurrency: 100 };
    await loadFor(gatewayPort, { ...stream, seconds: 2 });
    const before = cpuSeconds(gateway.pid);
    const done = await loadFor(gatewayPort, { ...stream, seconds: 8 });
    return { cpu: ((cpuSeconds(gateway.pid) - before) * 1e6) / done, rps: done / 8, p99: NaN };
  }
  const options = { url: `http://127.0.0.1:${gatewayPort}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 50 };
  await autocannon({ ...options, duration: 2 });
  const before = cpuSeconds(gateway.pid);
  const run = await autocannon({ ...options, duration: 8 });
  return { cpu: ((cpuSeconds(gateway.pid) - before) * 1e6) / run['2xx'], rps: run.requests.average, p99: run.latency.p99 };
}

try {
  const { upstreamPort } = await startUpstream(children);
  const unit = streaming ? 'µs/stream' : 'µs/req';
  for (let round = 0; round < rounds; round++) {
    for (const flags of choices) {
      const own = [];
      try {
        const { gateway, gatewayPort } = await startGateway(own, { upstreamPort, imageFlags: flags });
        await sleep(1_000);
        const idle = currentRssMb(gateway.pid);
        const row = { idle, ...(await measure(gateway, gatewayPort)), peak: peakRssMb(gateway.pid) };
        results.get(flags.join(' ')).push(row);
        console.log(`round ${round + 1} ${flags.join(' ').padEnd(50)} idle ${row.idle} MB  peak ${row.peak} MB  ${row.cpu.toFixed(0)} ${unit}  ${row.rps.toFixed(0)} /s  p99 ${row.p99} ms`);
      } finally {
        for (const child of own) child.kill('SIGKILL');
      }
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log('\nmedians');
  for (const [flags, rows] of results) {
    console.log(`${flags.padEnd(50)} idle ${median(rows.map((r) => r.idle))} MB  peak ${median(rows.map((r) => r.peak))} MB  ${median(rows.map((r) => r.cpu)).toFixed(0)} ${unit}  ${median(rows.map((r) => r.rps)).toFixed(0)} /s  p99 ${median(rows.map((r) => r.p99))} ms`);
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
}
