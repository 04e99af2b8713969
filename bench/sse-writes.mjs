// What writing a stream's events costs, apart from everything else a stream does: two servers side
// by side write the same 100 SSE events 5 ms apart to 100 open responses each, one through
// `res.write` (Node frames each write as size, CRLF, data, CRLF) and one through the gateway's
// FramedChunks (one framed write per event), both held to the end of the turn as the gateway's
// writes are. Alternating rounds; prints each server's CPU per stream and the median ratio.
// Usage: node bench/sse-writes.mjs [rounds] [seconds]   (after npm run build)
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { runOnImageNode } from './image-node.mjs';

const EVENTS = 100;
const EVENT = `data: ${JSON.stringify({ id: 'gen-bench', object: 'chat.completion.chunk', created: 1732000000, model: 'bench-stream-100x5', choices: [{ index: 0, delta: { content: 't12 ' }, finish_reason: null }], x_gateway: { provider: 'openrouter', attempts: 1, cache: 'BYPASS' } })}\n\n`;

async function serve(how) {
  const { FramedChunks } = await import('../dist/src/http/framed-chunks.js');
  const { writeInTurn } = await import('../dist/src/http/writes-in-turn.js');
  const open = new Set();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    open.add({ res, body: how === 'framed' ? new FramedChunks(res) : undefined, left: EVENTS });
  });
  setInterval(() => {
    for (const stream of open) {
      if (stream.body === undefined) writeInTurn(stream.res, EVENT);
      else stream.body.write(EVENT);
      if (--stream.left > 0) continue;
      open.delete(stream);
      if (stream.body === undefined) stream.res.end('data: [DONE]\n\n');
      else stream.body.end('data: [DONE]\n\n');
    }
  }, 5);
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
}

function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 1e4;
}

async function compare(rounds, seconds) {
  const start = (how) =>
    new Promise((resolve) => {
      const child = fork(fileURLToPath(import.meta.url), ['serve', how], { stdio: 'ignore' });
      child.once('message', (port) => resolve({ child, port, how }));
    });
  const servers = [await start('res.write'), await start('framed')];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
  const one = (port) => new Promise((resolve, reject) => http.get({ host: '127.0.0.1', port, agent }, (r) => r.resume().on('end', resolve)).on('error', reject));
  const load = async (server, forSeconds) => {
    const until = Date.now() + forSeconds * 1000;
    let streams = 0;
    await Promise.all(Array.from({ length: 100 }, async () => {
      while (Date.now() < until) {
        await one(server.port);
        streams++;
      }
    }));
    return streams;
  };
  try {
    for (const server of servers) await load(server, 4);
    const perStream = { 'res.write': [], framed: [] };
    for (let round = 0; round < rounds; round++) {
      for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
        const before = cpuMicros(server.child.pid);
        const streams = await load(server, seconds);
        perStream[server.how].push((cpuMicros(server.child.pid) - before) / streams);
      }
      console.log(`round ${round + 1}: res.write ${perStream['res.write'].at(-1).toFixed(0)} µs, framed ${perStream.framed.at(-1).toFixed(0)} µs per stream`);
    }
    const ratios = perStream.framed.map((framed, round) => framed / perStream['res.write'][round]).sort((a, b) => a - b);
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    console.log('\n| Writer | CPU per stream of 100 events, µs (median) |\n| --- | ---: |');
    console.log(`| res.write (Node's framing) | ${median(perStream['res.write']).toFixed(0)} |`);
    console.log(`| FramedChunks | ${median(perStream.framed).toFixed(0)} |`);
    console.log(`\nframed / res.write: ${ratios[Math.floor(ratios.length / 2)].toFixed(3)} (median of ${rounds} rounds)`);
  } finally {
    for (const server of servers) server.child.kill();
    agent.destroy();
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3]);
else {
  runOnImageNode();
  await compare(Number(process.argv[2] ?? 8), Number(process.argv[3] ?? 5));
}
