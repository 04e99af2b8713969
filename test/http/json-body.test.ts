import { expect } from 'chai';
import express from 'express';
import net, { type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { parseJsonBody } from '../../src/http/json-body.js';
import { createErrorHandler } from '../../src/rest/error-responses.js';

describe('JSON request bodies', () => {
  /**
   * A server echoing the parsed body (the reader's timeout `bodyTimeoutMs`), and a raw send of
   * `pieces`, each written after `pauseMs`; resolves with the answer and how long it took.
   */
  async function echoPieces(pieces: string[], pauseMs: number, bodyTimeoutMs?: number): Promise<{ answer: string; ms: number }> {
    const app = express();
    app.post('/', parseJsonBody(1024, bodyTimeoutMs), (req, res) => void res.json({ body: (req as { body?: unknown }).body }));
    app.use(createErrorHandler(pino({ level: 'silent' })));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      const closed = new Promise((resolve) => socket.once('close', resolve));
      const started = Date.now();
      for (const piece of pieces) {
        if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        socket.write(piece);
      }
      await closed;
      return { answer, ms: Date.now() - started };
    } finally {
      server.close();
    }
  }

  const body = '{"model":"m","messages":[{"role":"user","content":"hi"}]}';
  const head = (length: number) => `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;

  it('reads a body that arrives in pieces whole, whether the pieces come together or apart', async () => {
    const pieces = [head(body.length) + body.slice(0, 20), body.slice(20, 40), body.slice(40)];
    for (const pauseMs of [0, 30]) {
      const { answer } = await echoPieces(pieces, pauseMs);
      expect(answer).to.match(/^HTTP\/1\.1 200 /);
      expect(answer).to.include(`{"body":${body}}`);
    }
  });

  it('reads a chunked body whole, up to its last chunk, its chunks apart or in one packet', async () => {
    const chunked = `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
    const frame = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`;
    const pieces = [chunked + frame(body.slice(0, 30)), frame(body.slice(30)), '0\r\n\r\n'];
    // Apart, each chunk comes in a read of its own; together, Node parses them in one read, each chunk its own 'data'.
    for (const [sent, pauseMs] of [[pieces, 30], [[pieces.join('')], 0]] as const) {
      const { answer } = await echoPieces([...sent], pauseMs);
      expect(answer).to.match(/^HTTP\/1\.1 200 /);
      expect(answer).to.include(`{"body":${body}}`);
    }
  });

  it('answer 400 and close the connection when the body stops arriving, instead of waiting forever', async () => {
    // Promises 100 bytes, sends 10, then goes quiet.
    const { answer, ms } = await echoPieces(['POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":"'], 0, 200);
    expect(ms).to.be.within(150, 2_000);
    expect(answer).to.match(/^HTTP\/1\.1 400 /);
    expect(answer).to.match(/connection: close/i);
    expect(answer).to.include('"code":"invalid_request"');
  });
});
