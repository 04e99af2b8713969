// A reference, not a product: the least any gateway that reads JSON must do per request. It parses
// the body, sends it upstream re-serialised, parses the answer, writes it back with the same count
// of response headers this gateway sends (its security headers and X-Gateway-* facts) and writes
// one JSON log line, all with callbacks on node:http. Between the floor (bytes passed through) and
// this gateway, it shows how much of a request's cost any JSON gateway pays and how much is ours.
import http from 'node:http';
import './keep-next-tick-shape.mjs';
import pino from '../node_modules/pino/pino.js';

const [port, upstreamPort] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
const SECURITY_HEADERS = [
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

function readJson(stream, done) {
  const chunks = [];
  stream.on('data', (chunk) => chunks.push(chunk));
  stream.on('end', () => done(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
}

http
  .createServer((req, res) => {
    const started = performance.now();
    readJson(req, (body) => {
      const payload = JSON.stringify({ model: body.model, messages: body.messages, temperature: body.temperature });
      const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: 'Bearer sk-bench-upstream' };
      const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, path: '/v1/chat/completions', method: 'POST', agent, headers }, (answer) =>
        readJson(answer, (result) => {
          const json = JSON.stringify({ ...result, x_gateway: { provider: 'openrouter', attempts: 1, cache: 'BYPASS' } });
          for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
          res.setHeader('X-Request-Id', 'bench');
          res.setHeader('X-Gateway-Provider', 'openrouter');
          res.setHeader('X-Gateway-Model', result.model);
          res.setHeader('X-Gateway-Attempts', '1');
          res.setHeader('Content-Type', 'application/json; charset=utf-8');
          res.setHeader('Content-Length', Buffer.byteLength(json));
          res.end(json);
          log.info({ requestId: 'bench', route: '/v1/chat/completions', status: 200, latencyMs: Math.round(performance.now() - started), provider: 'openrouter', model: result.model, tokens: result.usage }, 'request');
        }),
      );
      upstream.end(payload);
    });
  })
  .listen(port, '127.0.0.1', () => process.send?.({ port }));
