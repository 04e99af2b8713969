// Preloaded into the gateway by bench/first-token-trace.mjs (--import): marks, for each request,
// when it arrived, when its upstream request was written, when the upstream's headers
// came back and when the first bytes went to the client, using Node's diagnostics channels and the
// socket write path. On SIGUSR2 it writes the medians of the last requests as JSON to the file
// FIRST_TOKEN_TRACE_OUT names.
import dc from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import net from 'node:net';

const upstreamPort = Number(process.env.FIRST_TOKEN_TRACE_UPSTREAM_PORT);
const ownPort = Number(process.env.PORT);
const marks = [];
let current;

dc.subscribe('http.server.request.start', () => {
  current = { arrived: performance.now() };
  marks.push(current);
});
dc.subscribe('http.client.request.start', ({ request }) => {
  const mark = current;
  if (mark === undefined) return;
  // Published as the request finishes sending; the response listener is what this is for.
  request.once('response', () => {
    mark.upstreamHeaders = performance.now();
  });
});
for (const method of ['_writev', '_writeGeneric']) {
  const original = net.Socket.prototype[method];
  net.Socket.prototype[method] = function (...args) {
    if (current !== undefined) {
      if (this.remotePort === upstreamPort) current.upstreamWritten ??= performance.now();
      else if (this.localPort === ownPort) current.clientWritten ??= performance.now();
    }
    return original.apply(this, args);
  };
}

process.on('SIGUSR2', () => {
  const complete = marks.filter((mark) => mark.clientWritten !== undefined && mark.upstreamHeaders !== undefined && mark.upstreamWritten !== undefined).slice(-500);
  const median = (phase) => {
    const values = complete.map(phase).sort((a, b) => a - b);
    return values[Math.floor(values.length / 2)];
  };
  writeFileSync(process.env.FIRST_TOKEN_TRACE_OUT, `${JSON.stringify({
    requests: complete.length,
    toUpstreamWrite: median((mark) => mark.upstreamWritten - mark.arrived),
    upstreamExchange: median((mark) => mark.upstreamHeaders - mark.upstreamWritten),
    toFirstClientWrite: median((mark) => mark.clientWritten - mark.upstreamHeaders),
    inGateway: median((mark) => mark.clientWritten - mark.arrived),
  })}\n`);
});
