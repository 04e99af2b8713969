import { expect } from 'chai';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { FramedChunks } from '../../src/http/framed-chunks.js';

const PIECES = ['héllo ', '', 'wörld 🌍 ', 'data: {"a":"ü"}\n\n'];
const WHOLE = `${PIECES.join('')}bye`;

function serve(): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    const body = new FramedChunks(res);
    for (const piece of PIECES) body.write(piece);
    setImmediate(() => body.end('bye'));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({ port: (server.address() as AddressInfo).port, close: () => new Promise((done) => server.close(() => done())) }),
    );
  });
}

function get(port: number, agent: http.Agent): Promise<{ body: string; reused: boolean; encoding: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => resolve({ body, reused: request.reusedSocket, encoding: response.headers['transfer-encoding'] }));
    });
    request.on('error', reject);
  });
}

describe('a streamed body framed by the gateway', () => {
  it('frames by bytes, not characters, ends with the last frame, and leaves the connection reusable', async () => {
    const server = await serve();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(server.port, agent);
      const second = await get(server.port, agent);
      expect(first).to.deep.equal({ body: WHOLE, reused: false, encoding: 'chunked' });
      expect(second).to.deep.equal({ body: WHOLE, reused: true, encoding: 'chunked' });
    } finally {
      agent.destroy();
      await server.close();
    }
  });

  it('writes an HTTP/1.0 client\'s body unframed, delimited by the connection closing', async () => {
    const server = await serve();
    try {
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(server.port, '127.0.0.1', () => socket.end('GET / HTTP/1.0\r\nHost: x\r\n\r\n'));
        const received: Buffer[] = [];
        socket.on('data', (data: Buffer) => received.push(data));
        socket.on('end', () => resolve(Buffer.concat(received).toString('utf8')));
        socket.on('error', reject);
      });
      const [head, body] = raw.split('\r\n\r\n');
      expect(head).not.to.match(/transfer-encoding/i);
      expect(body).to.equal(WHOLE);
    } finally {
      await server.close();
    }
  });
});
