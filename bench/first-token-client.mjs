// The client side of bench/first-token-trace.mjs and bench/setup-phases.mjs: one stream sent with
// its send time in an `x-sent` header (µs on the monotonic clock, which bench/first-token-marks.mjs
// reads too), timed to its first content token.
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';

export const nowMicros = () => Number(process.hrtime.bigint() / 1000n);

/** One stream; resolves with when it was sent and when its first content token arrived (µs). */
export function firstToken(port, agent, model) {
  return new Promise((resolve, reject) => {
    const sent = nowMicros();
    let text = '';
    let first;
    const request = http.request({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', agent, headers: { 'content-type': 'application/json', 'x-sent': String(sent) } }, (response) => {
      response.on('data', (chunk) => {
        text += chunk.toString('utf8');
        if (first === undefined && text.includes('"content":"t')) first = nowMicros();
      });
      response.on('end', () => resolve({ sent, first }));
    });
    request.on('error', reject);
    request.end(JSON.stringify({ model, messages: [{ role: 'user', content: 'Benchmark question' }], temperature: 0.7, stream: true }));
  });
}

/** The median of the finite values. */
export function medianOf(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * One target's first-token row from bench/first-token-marks.mjs's marks (each with the client's
 * `first` added), in ms: the first token, its overhead over `direct` (µs), and its phases in the
 * order FIRST_TOKEN_PHASES names them.
 */
export function firstTokenCells(marks, direct) {
  const ms = (micros) => (micros === undefined ? '' : (micros / 1000).toFixed(3));
  const ttft = medianOf(marks.map((mark) => mark.first - mark.sent));
  const phases = [
    (m) => m.arrived - m.sent,
    (m) => m.upstreamWritten - m.arrived,
    (m) => m.upstreamHeaders - m.upstreamWritten,
    (m) => m.tokenOut - m.tokenIn,
    (m) => m.first - m.tokenOut,
  ].map((of) => ms(medianOf(marks.map(of))));
  return [ms(ttft), ms(ttft - direct), ...phases];
}

export const FIRST_TOKEN_PHASES = ['sent -> arrived', 'arrived -> upstream written', 'upstream written -> its headers', 'first token in -> out', 'out -> client'];

/**
 * A target's marks (bench/first-token-marks.mjs writes them on SIGUSR2 to `target.out`), each
 * joined with the client's record of its stream in `target.times` (by send time): the client's
 * `first` and whatever else the tool recorded. Marks of streams the client did not time are left out.
 */
export async function collectMarks(target) {
  target.process.kill('SIGUSR2');
  for (let waited = 0; !existsSync(target.out) && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  const timed = new Map(target.times.map((time) => [time.sent, time]));
  return JSON.parse(readFileSync(target.out, 'utf8'))
    .map((mark) => ({ ...mark, ...timed.get(mark.sent) }))
    .filter((mark) => mark.first !== undefined && mark.tokenOut !== undefined);
}
