// Compares node flag choices for the image's CMD: starts the lean gateway once per choice, in turn
// and for several rounds, and prints idle RSS, peak RSS, CPU per request and p99 latency under the
// benchmark's whole-request load (c=50; 0 ms upstream, or 50 ms with LATENCY=50). Usage (after npm run build):
//   node bench/flags.mjs '[["--max-semi-space-size=8"], ["--max-semi-space-size=4", "--heap-growing-percent=50"]]' [rounds]
import autocannon from 'autocannon';
import { cpuSeconds, currentRssMb, peakRssMb, sleep, startGateway, startUpstream } from './processes.mjs';

const choices = JSON.parse(process.argv[2] ?? '[]');
const rounds = Number(process.argv[3] ?? 3);
const children = [];
const body = JSON.stringify({ model: `bench-lat${process.env.LATENCY ?? 0}`, messages: [{ role: 'user', content: 'Benchmark question' }], temperature: 0.7 });
const results = new Map(choices.map((flags) => [flags.join(' '), []]));
try {
  const { upstreamPort } = await startUpstream(children);
  for (let round = 0; round < rounds; round++) {
    for (const flags of choices) {
      const own = [];
      try {
        const { gateway, gatewayPort } = await startGateway(own, { upstreamPort, imageFlags: flags });
        await sleep(1_000);
        const idle = currentRssMb(gateway.pid);
        const options = { url: `http://127.0.0.1:${gatewayPort}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 50 };
        await autocannon({ ...options, duration: 2 });
        const before = cpuSeconds(gateway.pid);
        const run = await autocannon({ ...options, duration: 8 });
        const row = { idle, peak: peakRssMb(gateway.pid), cpu: ((cpuSeconds(gateway.pid) - before) * 1e6) / run['2xx'], rps: run.requests.average, p99: run.latency.p99 };
        results.get(flags.join(' ')).push(row);
        console.log(`round ${round + 1} ${flags.join(' ').padEnd(50)} idle ${row.idle} MB  peak ${row.peak} MB  ${row.cpu.toFixed(0)} µs/req  ${row.rps.toFixed(0)} req/s  p99 ${row.p99} ms`);
      } finally {
        for (const child of own) child.kill('SIGKILL');
      }
    }
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  console.log('\nmedians');
  for (const [flags, rows] of results) {
    console.log(`${flags.padEnd(50)} idle ${median(rows.map((r) => r.idle))} MB  peak ${median(rows.map((r) => r.peak))} MB  ${median(rows.map((r) => r.cpu)).toFixed(0)} µs/req  ${median(rows.map((r) => r.rps)).toFixed(0)} req/s  p99 ${median(rows.map((r) => r.p99))} ms`);
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
}
