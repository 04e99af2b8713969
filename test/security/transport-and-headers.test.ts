import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireBinary } from '../helpers/system-binary.js';
import { startGateway } from '../helpers/start-gateway.js';
import { CLIENT_KEY, startSecuredGateway } from '../helpers/secured-gateway.js';

describe('transport and browser-facing headers', () => {
  it('serves HTTPS itself when TLS_CERT_FILE and TLS_KEY_FILE are set', async () => {
    requireBinary('openssl');
    const dir = mkdtempSync(path.join(tmpdir(), 'gateway-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const gateway = await startGateway({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key });
    try {
      const url = gateway.url.replace('http://', 'https://');
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get(`${url}/health/live`, { rejectUnauthorized: false }, (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => resolve(text));
          })
          .on('error', reject);
      });
      expect(JSON.parse(body)).to.have.property('status');
    } finally {
      await gateway.close();
    }
  });

  it('refuses to start with only one of the TLS files', async () => {
    const { loadConfig } = await import('../../src/config/load-config.js');
    expect(() => loadConfig({ TLS_CERT_FILE: '/tmp/x.pem' })).to.throw(/TLS_KEY_FILE must be set together/);
  });

  it('sends security headers, and CORS only to allowed origins', async () => {
    const setup = await startSecuredGateway({ CORS_ORIGINS: 'https://app.example.com' });
    try {
      const allowed = await setup.call('/v1/models', { key: CLIENT_KEY, headers: { origin: 'https://app.example.com' } });
      expect(allowed.headers.get('access-control-allow-origin')).to.equal('https://app.example.com');
      expect(allowed.headers.get('access-control-expose-headers')).to.include('X-Cache');
      expect(allowed.headers.get('x-content-type-options')).to.equal('nosniff');
      expect(allowed.headers.get('strict-transport-security')).to.be.a('string');
      expect(allowed.headers.get('x-powered-by')).to.equal(null);
      const other = await setup.call('/v1/models', { key: CLIENT_KEY, headers: { origin: 'https://evil.example' } });
      expect(other.headers.get('access-control-allow-origin')).to.equal(null);
      const preflight = await fetch(`${setup.gateway.url}/v1/chat/completions`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example.com',
          'access-control-request-method': 'POST',
          // What the OpenAI SDK sends from a browser.
          'access-control-request-headers': 'authorization,content-type,x-stainless-os,x-stainless-lang,x-stainless-package-version,x-stainless-retry-count,x-stainless-timeout',
        },
      });
      expect(preflight.status).to.equal(204);
      const allowedHeaders = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(',');
      for (const header of ['authorization', 'content-type', 'x-stainless-os', 'x-stainless-retry-count', 'x-stainless-timeout']) expect(allowedHeaders).to.include(header);
    } finally {
      await setup.close();
    }
  });

  it('turns introspection off in production', async () => {
    const gateway = await startGateway({ NODE_ENV: 'production', AUTH_DISABLED: 'true', LOG_LEVEL: 'silent', SHUTDOWN_DELAY_MS: '0' });
    try {
      const response = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __schema { types { name } } }' }) });
      const body = (await response.json()) as { errors?: { extensions: { code: string } }[] };
      expect(body.errors?.[0]?.extensions.code).to.equal('invalid_request');
    } finally {
      await gateway.close();
    }
  });
});
