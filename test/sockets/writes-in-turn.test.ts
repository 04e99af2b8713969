import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { endInTurn, endsInTurn, writeInTurn } from '../../src/sockets/writes-in-turn.js';
import { sendError } from '../../src/rest/error-responses.js';
import { GatewayError } from '../../src/errors.js';
import type { Response } from 'express';

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

  it('ends the turn\'s first answer at once and the rest when the turn is over, each whole', async () => {
    const server = await serverWithAnswers(3);
    try {
      const [first, second, third] = server.responses as [http.ServerResponse, http.ServerResponse, http.ServerResponse];
      endInTurn(first, 'one');
      endInTurn(second, 'two');
      endInTurn(third, 'three');
      // One answer alone is never held for the rest of its turn; the others leave together after it.
      expect(first.writableEnded).to.equal(true);
      expect(second.writableEnded).to.equal(false);
      expect(third.writableEnded).to.equal(false);
      await turn();
      expect(second.writableEnded).to.equal(true);
      expect(third.writableEnded).to.equal(true);
      expect(await Promise.all(server.bodies)).to.deep.equal(['one', 'two', 'three']);
      // A new turn: its first answer leaves at once again.
      const fourth = server.ask(3);
      const [again] = await server.more(1);
      endInTurn(again!, 'four');
      expect(again!.writableEnded).to.equal(true);
      expect(await fourth).to.equal('four');
    } finally {
      server.close();
    }
  });

  it('ends upstream requests the same way, and each is answered', async () => {
    const server = await serverWithAnswers(0);
    const requests = [0, 1, 2].map((index) => {
      const request = http.request({ host: '127.0.0.1', port: server.port, path: `/${index}`, method: 'POST' });
      const answered = new Promise<string>((resolve, reject) => {
        request.on('response', (response) => readAll(response).then(resolve, reject));
        request.on('error', reject);
      });
      return { request, answered };
    });
    try {
      for (const { request } of requests) endInTurn(request, 'body');
      expect(requests.map(({ request }) => request.writableEnded)).to.deep.equal([true, false, false]);
      const arrived = await server.more(3);
      for (const response of arrived) response.end(response.req.url);
      expect(await Promise.all(requests.map(({ answered }) => answered))).to.deep.equal(['/0', '/1', '/2']);
    } finally {
      server.close();
    }
  });

  it('fails only its own answer when one cannot be ended, and ends one whose client left as a no-op', async () => {
    const server = await serverWithAnswers(3);
    try {
      const [first, left, broken] = server.responses as [http.ServerResponse, http.ServerResponse, http.ServerResponse];
      endInTurn(first, 'one');
      endInTurn(left, 'gone');
      // Not text: Node throws when it is ended, outside the handler that asked for it.
      endInTurn(broken, 42 as unknown as string);
      left.destroy();
      await turn();
      expect(broken.destroyed).to.equal(true);
      expect(left.destroyed).to.equal(true);
      expect(await server.bodies[0]).to.equal('one');
    } finally {
      server.close();
    }
  });
});

describe('an answer whose end waits for its turn', () => {
  it('arrives whole when an error answer comes after its head, and an end made meanwhile is kept', async () => {
    const server = await serverWithAnswers(3);
    try {
      const [first, waiting, endedMeanwhile] = server.responses as [http.ServerResponse, http.ServerResponse, http.ServerResponse];
      endInTurn(first, 'one');
      Object.assign(waiting, { locals: {} });
      waiting.writeHead(200);
      endInTurn(waiting, 'two');
      endInTurn(endedMeanwhile, 'never sent');
      expect([endsInTurn(first), endsInTurn(waiting)]).to.deep.equal([false, true]);
      // A failure after the answer's head: the error path must not cut the waiting answer short.
      sendError(waiting as unknown as Response, new GatewayError('internal_error', 'late failure'));
      endedMeanwhile.end('theirs');
      await turn();
      expect(await Promise.all(server.bodies)).to.deep.equal(['one', 'two', 'theirs']);
    } finally {
      server.close();
    }
  });
});

function readAll(response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text += chunk));
    response.on('end', () => resolve(text));
    response.on('error', reject);
    response.on('aborted', () => resolve(text));
  });
}

/** A server holding its requests' responses, with `count` requests already made to it; `more(n)` waits for n more. */
async function serverWithAnswers(count: number) {
  const waiting: http.ServerResponse[] = [];
  let wanted = 0;
  let arrived: () => void = () => {};
  const server = http.createServer((_req, res) => {
    waiting.push(res);
    if (waiting.length >= wanted) arrived();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const more = async (n: number): Promise<http.ServerResponse[]> => {
    wanted = n;
    if (waiting.length < n) await new Promise<void>((resolve) => (arrived = resolve));
    return waiting.splice(0, n);
  };
  // One connection each, so every answer has its own socket.
  const agent = new http.Agent({ keepAlive: false });
  const ask = (index: number) =>
    new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: `/${index}`, agent }, (response) => readAll(response).then(resolve, reject)).on('error', () => resolve(''));
    });
  const bodies = Array.from({ length: count }, (_, index) => ask(index));
  const responses = count === 0 ? [] : await more(count);
  // Answers in the order their requests were made, whatever order they arrived in.
  responses.sort((a, b) => Number(a.req.url?.slice(1)) - Number(b.req.url?.slice(1)));
  return { port, responses, bodies, ask, more, close: () => { agent.destroy(); server.closeAllConnections(); server.close(); } };
}
