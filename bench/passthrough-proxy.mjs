// The floor for any Node gateway: a keep-alive pass-through proxy in node:http that forwards
// requests and streams answers back, doing nothing else. With HOLD_HEAD=1 it is the floor for a
// gateway that, like this one, decides a stream's status at its first token: it holds a streamed
// answer's head and events until the first event with content, then sends them in one write and
// pipes the rest (bench/first-token-trace.mjs measures both).
import http from 'node:http';
import './keep-next-tick-shape.mjs';

const [port, upstreamPort] = process.argv.slice(2).map(Number);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const holdHead = process.env.HOLD_HEAD === '1';
// A content delta with at least one character: a role event's `"content":""` does not commit.
const FIRST_CONTENT = /"content":"[^"]/;

/** Holds a streamed answer until its first content, then writes head and held events together. */
function answerHeld(answer, res) {
  let held = '';
  const onData = (chunk) => {
    held += chunk.toString('utf8');
    if (!FIRST_CONTENT.test(held)) return;
    answer.off('data', onData);
    answer.off('end', onEnd);
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    res.write(held);
    answer.pipe(res);
  };
  const onEnd = () => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    res.end(held);
  };
  answer.on('data', onData);
  answer.on('end', onEnd);
}

const server = http.createServer((req, res) => {
  const upstream = http.request(
    { host: '127.0.0.1', port: upstreamPort, path: req.url, method: req.method, headers: { ...req.headers, host: `127.0.0.1:${upstreamPort}` }, agent },
    (answer) => {
      if (holdHead && String(answer.headers['content-type']).startsWith('text/event-stream')) {
        answerHeld(answer, res);
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.send?.({ port: server.address().port }));
