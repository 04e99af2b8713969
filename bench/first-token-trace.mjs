// Where the time to a first token goes at one stream at a time: the lean gateway runs with
// bench/first-token-marks.mjs preloaded, one client asks for short streams back to back (the
// upstream sends its tokens at once, so its own pacing is not measured), and the client's time to
// first token is set beside the gateway's own marks and the same request sent direct.
// Usage: node bench/first-token-trace.mjs [requests]   (after npm run build)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { here, sleep, startGateway, startUpstream } from './processes.mjs';

const count = Number(process.argv[2] ?? 1000);
const children = [];

function firstToken(port, agent) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let text = '';
    let first = Number.NaN;
    const request = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        text += chunk;
        if (Number.isNaN(first) && text.includes('"content":"t')) first = performance.now() - started;
      });
      response.on('end', () => resolve(first));
    });
    request.on('error', reject);
    request.end(JSON.stringify({ model: 'bench-stream-3x0', messages: [{ role: 'user', content: 'Benchmark question' }], temperature: 0.7, stream: true }));
  });
}

async function medianFirstToken(port) {
  const agent = new http.Agent({ keepAlive: true });
  for (let i = 0; i < 200; i++) await firstToken(port, agent);
  const times = [];
  for (let i = 0; i < count; i++) times.push(await firstToken(port, agent));
  agent.destroy();
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'first-token-'));
const out = path.join(scratch, 'marks.json');
try {
  const { upstreamPort } = await startUpstream(children);
  const { gateway, gatewayPort } = await startGateway(children, {
    upstreamPort,
    nodeFlags: ['--import', path.join(here, 'first-token-marks.mjs')],
    env: { FIRST_TOKEN_TRACE_UPSTREAM_PORT: String(upstreamPort), FIRST_TOKEN_TRACE_OUT: out },
  });
  const direct = await medianFirstToken(upstreamPort);
  const through = await medianFirstToken(gatewayPort);
  gateway.kill('SIGUSR2');
  for (let waited = 0; !existsSync(out) && waited < 5_000; waited += 50) await sleep(50);
  const marks = JSON.parse(readFileSync(out, 'utf8'));
  const ms = (value) => `${value.toFixed(3)} ms`;
  console.log('| Phase (medians, one stream at a time) | Time |');
  console.log('| --- | ---: |');
  console.log(`| first token, direct | ${ms(direct)} |`);
  console.log(`| first token, through the gateway | ${ms(through)} |`);
  console.log(`| in the gateway: request arrived -> upstream request written | ${ms(marks.toUpstreamWrite)} |`);
  console.log(`| in the gateway: upstream written -> upstream headers back | ${ms(marks.upstreamExchange)} |`);
  console.log(`| in the gateway: upstream headers -> first bytes to the client | ${ms(marks.toFirstClientWrite)} |`);
  console.log(`| in the gateway, all | ${ms(marks.inGateway)} |`);
} finally {
  for (const child of children) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
}
