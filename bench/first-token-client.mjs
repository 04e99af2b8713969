// The client side of bench/first-token-trace.mjs and bench/setup-phases.mjs: one stream sent with
// its send time in an `x-sent` header (µs on the monotonic clock, which bench/first-token-marks.mjs
// reads too), timed to its first content token.
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
