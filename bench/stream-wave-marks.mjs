// Preloaded into a target (the gateway or the floor) by bench/stream-wave.mjs (--import): for each
// request, on the monotonic clock (µs), when its connection was accepted, when the request was
// parsed and when its response head was written (a stream's head goes with its first token), keyed
// by the client's x-wave-id header. On SIGUSR2 it writes them as JSON to STREAM_WAVE_OUT.
import dc from 'node:diagnostics_channel';
import { renameSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const marks = [];
const now = () => Number(process.hrtime.bigint() / 1000n);
const accepted = new WeakMap();
const markOf = new WeakMap();

dc.subscribe('net.server.socket', ({ socket }) => accepted.set(socket, now()));
dc.subscribe('http.server.request.start', ({ request, response }) => {
  const mark = { id: request.headers['x-wave-id'], accepted: accepted.get(request.socket), parsed: now() };
  // Only a connection's first request waited for its accept.
  accepted.delete(request.socket);
  marks.push(mark);
  markOf.set(response, mark);
});
const writeHead = http.ServerResponse.prototype.writeHead;
http.ServerResponse.prototype.writeHead = function (...args) {
  const mark = markOf.get(this);
  if (mark !== undefined) mark.head ??= now();
  return writeHead.apply(this, args);
};

process.on('SIGUSR2', () => {
  const out = process.env.STREAM_WAVE_OUT;
  writeFileSync(`${out}.part`, JSON.stringify(marks));
  renameSync(`${out}.part`, out);
});
