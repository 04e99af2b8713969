import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { securityHeaders } from '../../src/http/security-headers.js';

async function headersSentBy(middleware: RequestHandler): Promise<Record<string, string>> {
  const app = express();
  app.disable('x-powered-by');
  app.use(middleware);
  app.get('/', (_req, res) => void res.json({}));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const headers = Object.fromEntries(response.headers);
    // Per-response values, not policy.
    for (const name of ['date', 'etag', 'connection', 'keep-alive', 'content-length']) delete headers[name];
    return headers;
  } finally {
    server.close();
  }
}

describe('security headers', () => {
  it("are exactly the ones helmet itself would send, with the gateway's options", async () => {
    const options = { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false } as const;
    const ours = await headersSentBy(securityHeaders(options));
    expect(ours).to.deep.equal(await headersSentBy(helmet(options)));
    expect(ours).to.include({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN' });
  });
});
