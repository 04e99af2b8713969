import { expect } from 'chai';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAgents } from '../../../src/providers/http/http-agents.js';
import { sendUpstreamRequest, type Cancellation } from '../../../src/providers/http/send-upstream-request.js';

const never: Cancellation = { aborted: false, reason: undefined, whenCancelled: () => undefined };

/** A loopback server on `host` that answers with what it was asked. */
async function echoServer(host: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req: IncomingMessage, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ url: req.url, method: req.method, authorization: req.headers.authorization ?? null, host: req.headers.host }));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

async function bodyOf(message: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of message) text += String(chunk);
  return JSON.parse(text) as Record<string, unknown>;
}

describe('sending an upstream request', () => {
  const agents = createHttpAgents(8, 1_000);
  after(() => agents.destroy());

  it('reaches the URL it was given, path and query as they are, the same URL object request after request', async () => {
    const { server, port } = await echoServer('127.0.0.1');
    try {
      const url = new URL(`http://127.0.0.1:${port}/v1/chat/completions?api-version=2024-10-21`);
      for (let i = 0; i < 3; i++) {
        const response = await sendUpstreamRequest(agents, { method: 'POST', url, headers: { 'content-type': 'application/json', 'content-length': 2 }, body: '{}', cancellation: never });
        expect(response.status).to.equal(200);
        expect(await bodyOf(response.body)).to.include({ url: '/v1/chat/completions?api-version=2024-10-21', method: 'POST', host: `127.0.0.1:${port}` });
      }
    } finally {
      server.close();
    }
  });

  it("sends a base URL's credentials as Basic auth when no Authorization header is set", async () => {
    const { server, port } = await echoServer('127.0.0.1');
    try {
      const response = await sendUpstreamRequest(agents, { method: 'GET', url: new URL(`http://proxy%20user:s3cret@127.0.0.1:${port}/v1/models`), headers: {}, body: undefined, cancellation: never });
      const seen = await bodyOf(response.body);
      expect(seen.url).to.equal('/v1/models');
      expect(seen.authorization).to.equal(`Basic ${Buffer.from('proxy user:s3cret').toString('base64')}`);
    } finally {
      server.close();
    }
  });
});
