import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { writeInTurn } from '../../src/http/writes-in-turn.js';

/** Two streaming responses on one server, written to from the test through `writeInTurn`. */
async function twoStreams() {
  const responses: http.ServerResponse[] = [];
  let arrived: () => void = () => {};
  const bothArrived = new Promise<void>((resolve) => (arrived = resolve));
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    responses.push(res);
    if (responses.length === 2) arrived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const received: string[][] = [[], []];
  const ended: Promise<void>[] = [0, 1].map(
    (index) =>
      new Promise<void>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: `/${index}` }, (response) => {
            response.setEncoding('utf8');
            response.on('data', (text: string) => received[index]!.push(text));
            response.on('end', resolve);
          })
          .on('error', reject);
      }),
  );
  await bothArrived;
  return { responses, received, ended, close: () => server.close() };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('writes in one turn', () => {
  it('leave together once the turn is over, in order, and nothing written is lost when a response ends', async () => {
    const { responses, received, ended, close } = await twoStreams();
    try {
      const [first, second] = responses as [http.ServerResponse, http.ServerResponse];
      writeInTurn(first, 'data: a\n\n');
      writeInTurn(second, 'data: x\n\n');
      writeInTurn(first, 'data: b\n\n');
      // Held for the rest of this turn, the response head included: nothing has reached a socket yet.
      expect(first.socket?.writableCorked).to.equal(1);
      expect(second.socket?.writableLength).to.be.greaterThan(0);
      await turn();
      expect(first.socket?.writableCorked).to.equal(0);
      expect(second.socket?.writableCorked).to.equal(0);
      writeInTurn(first, 'data: c\n\n');
      first.end();
      writeInTurn(second, 'data: y\n\n');
      second.end('data: [DONE]\n\n');
      await Promise.all(ended);
      expect(received[0]!.join('')).to.equal('data: a\n\ndata: b\n\ndata: c\n\n');
      expect(received[1]!.join('')).to.equal('data: x\n\ndata: y\n\ndata: [DONE]\n\n');
    } finally {
      close();
    }
  });
});
