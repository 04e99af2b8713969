// Preloaded into a target (the gateway or the floor) by bench/first-token-trace.mjs (--import):
// marks, for each request, on the monotonic clock the client's marks use too (µs): when the client
// sent it (its x-sent header), when it arrived, when its upstream request was written, when the
// upstream's headers came back, when the first content token's bytes came from upstream and when
// the first bytes written to the client after them left. On SIGUSR2 it writes every request's marks
// as JSON to the file FIRST_TOKEN_TRACE_OUT names.
import dc from 'node:diagnostics_channel';
import { renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const upstreamPort = Number(process.env.FIRST_TOKEN_TRACE_UPSTREAM_PORT);
// The gateway's port is its PORT; the floor, which takes its port as an argument, is told.
const ownPort = Number(process.env.FIRST_TOKEN_TRACE_PORT ?? process.env.PORT);
const marks = [];
let current;
const now = () => Number(process.hrtime.bigint() / 1000n);

// A phase mark put into a copy of the build (bench/setup-phases.mjs): the first time it is passed for
// the current request. One request at a time, so the current request is the one passing it.
globalThis.__phase = (name) => {
  if (current !== undefined) current[name] ??= now();
};

// A mark on a first token's way out (bench/setup-phases.mjs): taken only between that token's
// arrival and its write to the client, and numbered when passed again (one flow class serves
// several layers), so each layer's pass shows.
globalThis.__tokenPhase = (name) => {
  if (current?.tokenIn === undefined || current.tokenOut !== undefined) return;
  let key = name;
  for (let n = 2; current[key] !== undefined; n++) key = `${name} #${n}`;
  current[key] = now();
};

dc.subscribe('http.server.request.start', ({ request }) => {
  current = { sent: Number(request.headers['x-sent']), arrived: now() };
  marks.push(current);
});
dc.subscribe('http.client.request.start', ({ request }) => {
  const mark = current;
  if (mark === undefined) return;
  // Published as the request finishes sending; the response listener is what this is for.
  request.once('response', () => {
    mark.upstreamHeaders = now();
  });
});
const push = http.IncomingMessage.prototype.push;
http.IncomingMessage.prototype.push = function (chunk, ...rest) {
  if (current !== undefined && current.tokenIn === undefined && chunk && this.socket?.remotePort === upstreamPort && String(chunk).includes('"content":"t')) {
    current.tokenIn = now();
  }
  return push.call(this, chunk, ...rest);
};
for (const method of ['_writev', '_writeGeneric']) {
  const original = net.Socket.prototype[method];
  net.Socket.prototype[method] = function (...args) {
    if (current !== undefined) {
      if (this.remotePort === upstreamPort) current.upstreamWritten ??= now();
      else if (this.localPort === ownPort && current.tokenIn !== undefined) current.tokenOut ??= now();
    }
    return original.apply(this, args);
  };
}

process.on('SIGUSR2', () => {
  // Renamed into place, so the reader never sees half a file.
  const out = process.env.FIRST_TOKEN_TRACE_OUT;
  writeFileSync(`${out}.part`, JSON.stringify(marks));
  renameSync(`${out}.part`, out);
});
