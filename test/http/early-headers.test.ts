import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { setEarlyHeader, settleEarlyHeaders, type HttpResponse } from '../../src/http/http-exchange.js';
import { sendJson } from '../../src/rest/json-response.js';

/** One request to a server whose handler gets the response as a hot route has it (waiting headers on). */
async function serve(handle: (res: HttpResponse) => void): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const server = http.createServer((_req, res) => {
    const response = res as HttpResponse;
    response.locals = {};
    response.earlyHeaders = [];
    handle(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
  } finally {
    server.close();
  }
}

describe('headers that wait for the answer (the hot routes)', () => {
  it('go out with the answer in one head, in the order they were set', async () => {
    const answer = await serve((res) => {
      setEarlyHeader(res, 'X-Frame-Options', 'SAMEORIGIN');
      setEarlyHeader(res, 'X-Request-Id', 'req-1');
      sendJson(res, { ok: true }, { 'X-Cache': 'MISS' });
    });
    expect(answer.headers).to.include({ 'x-frame-options': 'SAMEORIGIN', 'x-request-id': 'req-1', 'x-cache': 'MISS', 'content-type': 'application/json; charset=utf-8' });
    expect(answer.body).to.equal('{"ok":true}');
  });

  it('still reach the error answer when Node refuses one of the answer\'s own headers', async () => {
    const answer = await serve((res) => {
      setEarlyHeader(res, 'X-Frame-Options', 'SAMEORIGIN');
      try {
        sendJson(res, { ok: true }, { 'X-Gateway-Model': 'bad\r\nvalue' });
      } catch {
        // What the error handler does: the waiting headers first, then its own answer.
        settleEarlyHeaders(res);
        res.statusCode = 502;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end('{"error":true}');
      }
    });
    expect(answer.status).to.equal(502);
    expect(answer.headers['x-frame-options']).to.equal('SAMEORIGIN');
    expect(answer.headers['x-gateway-model']).to.equal(undefined);
  });
});
