import { expect } from 'chai';
import express from 'express';
import net, { type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { parseJsonBody } from '../../src/http/json-body.js';
import { createErrorHandler } from '../../src/rest/error-responses.js';

describe('JSON request bodies', () => {
  it('answer 400 and close the connection when the body stops arriving, instead of waiting forever', async () => {
    const app = express();
    app.post('/', parseJsonBody(1024, 200), (_req, res) => void res.json({ ok: true }));
    app.use(createErrorHandler(pino({ level: 'silent' })));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      const closed = new Promise((resolve) => socket.once('close', resolve));
      const started = Date.now();
      // Promises 100 bytes, sends 10, then goes quiet.
      socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":"');
      await closed;
      expect(Date.now() - started).to.be.within(150, 2_000);
      expect(answer).to.match(/^HTTP\/1\.1 400 /);
      expect(answer).to.match(/connection: close/i);
      expect(answer).to.include('"code":"invalid_request"');
    } finally {
      server.close();
    }
  });
});
