import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler } from 'express';
import { expect } from 'chai';
import { errorScenario, openAiCompletion, openAiEmbeddings, openAiStream, sseScenario } from '../helpers/fake-upstream.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { CHAT, CLIENT_KEY, startSecuredGateway, type SecuredSetup } from '../helpers/secured-gateway.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';
import { HotRoutes } from '../../src/http/hot-routes.js';

/** Values that differ between any two answers, hot or not; every header name must still match. */
const VARYING_HEADERS = new Set(['date', 'x-request-id', 'x-gateway-overhead-ms', 'ratelimit-remaining', 'ratelimit-reset']);
const VARYING_FIELDS = /"(id|created|created_at)":("[^"]*"|\d+)/g;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function answer(response: Response): Promise<Answer> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = VARYING_HEADERS.has(name) ? '(varies)' : value;
  });
  return { status: response.status, headers, body: (await response.text()).replace(VARYING_FIELDS, '"$1":"(varies)"') };
}

/**
 * The hot-route dispatch serves the exact completion paths; the same path with a trailing slash
 * goes through Express's router (its routing is not strict), so the two must answer alike.
 */
describe('hot routes (completion paths served ahead of Express)', () => {
  let setup: SecuredSetup;
  beforeEach(async () => {
    setup = await startSecuredGateway({ CORS_ORIGINS: 'https://app.example' });
  });
  afterEach(async () => setup.close());

  async function both(path: string, init: Parameters<SecuredSetup['call']>[1], enqueue?: () => void): Promise<[Answer, Answer]> {
    enqueue?.();
    const hot = await answer(await setup.call(path, init));
    enqueue?.();
    const express = await answer(await setup.call(`${path}/`, init));
    return [hot, express];
  }

  it('answers a chat completion with the same status, headers and body as Express', async () => {
    const [hot, express] = await both('/v1/chat/completions', { key: CLIENT_KEY, body: CHAT }, () => setup.upstream.enqueue(openAiCompletion('Hello')));
    expect(hot.status).to.equal(200);
    expect(hot.headers['content-type']).to.equal('application/json; charset=utf-8');
    expect(hot.headers['x-content-type-options']).to.equal('nosniff');
    expect(hot).to.deep.equal(express);
  });

  it('answers a stream with the same headers and events as Express', async () => {
    const [hot, express] = await both('/v1/chat/completions', { key: CLIENT_KEY, body: { ...CHAT, stream: true } }, () => setup.upstream.enqueue(sseScenario(openAiStream(['Hel', 'lo']))));
    expect(hot.headers['content-type']).to.equal('text/event-stream; charset=utf-8');
    expect(hot.body).to.include('data: [DONE]');
    expect(hot).to.deep.equal(express);
  });

  it('answers embeddings as Express does', async () => {
    const embeddings = await both('/v1/embeddings', { key: CLIENT_KEY, body: { model: 'm', input: ['a', 'b'] }, headers: { 'cache-control': 'no-store' } }, () => setup.upstream.enqueue(openAiEmbeddings(2)));
    expect(embeddings[0].status).to.equal(200);
    expect(embeddings[0]).to.deep.equal(embeddings[1]);
  });

  it('refuses in the same words: no key, a foreign content type, an invalid body, a body too large', async () => {
    const cases: Parameters<SecuredSetup['call']>[1][] = [
      { body: CHAT },
      { key: CLIENT_KEY, headers: { 'content-type': 'text/plain' }, body: CHAT },
      { key: CLIENT_KEY, body: { model: 'm' } },
      { key: CLIENT_KEY, body: { model: 'm', messages: [{ role: 'user', content: 'x'.repeat(11 * 1024 * 1024) }] } },
    ];
    const statuses = [];
    for (const init of cases) {
      const [hot, express] = await both('/v1/chat/completions', init);
      statuses.push(hot.status);
      expect(hot).to.deep.equal(express);
    }
    expect(statuses).to.deep.equal([401, 415, 400, 413]);
  });

  it("answers /v1/messages errors in Anthropic's shape, as Express does", async () => {
    const [hot, express] = await both('/v1/messages', { body: { model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] } });
    expect(hot.status).to.equal(401);
    expect(JSON.parse(hot.body)).to.deep.include({ type: 'error' });
    expect(hot).to.deep.equal(express);
  });

  it('applies CORS to a cross-origin call, as Express does', async () => {
    const init = { key: CLIENT_KEY, body: CHAT, headers: { origin: 'https://app.example' } };
    const [hot, express] = await both('/v1/chat/completions', init, () => setup.upstream.enqueue(openAiCompletion('Hi')));
    expect(hot.headers['access-control-allow-origin']).to.equal('https://app.example');
    expect(hot).to.deep.equal(express);
  });

  it('leaves other methods on a hot path to Express: 405 with Allow', async () => {
    const response = await setup.call('/v1/chat/completions', { method: 'GET', key: CLIENT_KEY });
    expect(response.status).to.equal(405);
    expect(response.headers.get('allow')).to.equal('POST, OPTIONS');
  });
});

describe('hot-route dispatch', () => {
  let server: http.Server;
  let base: string;
  before(async () => {
    const app = express();
    app.post('/v1/chat/completions', (_req, res) => void res.send('express'));
    app.post('/v1/chat/completions/', (_req, res) => void res.send('express'));
    const hot = new HotRoutes(app);
    const errors: ErrorRequestHandler = (error: Error, req, res, _next) => void res.status(500).send(`error: ${error.message} on ${String((req.route as { path?: string } | undefined)?.path)}, ${String(res.locals.seen)}`);
    hot.add('POST', '/v1/chat/completions', {
      middleware: [
        (req, res, next) => {
          res.locals.seen = 'locals kept';
          if (req.headers['x-fail'] === 'middleware') next(new Error('refused'));
          else next();
        },
      ],
      handlers: [
        async (req, res) => {
          if (req.headers['x-fail'] === 'handler') throw new Error('rejected');
          res.end(`hot ${req.ip === undefined ? 'no ip' : 'with ip'} ${String(req.route?.path)} ${Object.getPrototypeOf(res) === http.ServerResponse.prototype ? 'node' : 'express'}`);
        },
      ],
      errorHandlers: [errors],
    });
    server = http.createServer(hot.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = async (path: string, headers: Record<string, string> = {}) => (await fetch(`${base}${path}`, { method: 'POST', headers })).text();

  it('serves the exact path, with or without a query, on Node\'s own request objects with the client address resolved', async () => {
    expect(await post('/v1/chat/completions')).to.equal('hot with ip /v1/chat/completions node');
    expect(await post('/v1/chat/completions?x=1')).to.equal('hot with ip /v1/chat/completions node');
  });

  it('leaves every other spelling and method to Express', async () => {
    expect(await post('/v1/chat/completions/')).to.equal('express');
    expect((await fetch(`${base}/v1/chat/completions`)).status).to.equal(404);
  });

  it('passes a middleware error, a thrown error and a rejected promise to the error handlers on Express\'s objects, locals kept, as Express 5 does', async () => {
    expect(await post('/v1/chat/completions', { 'x-fail': 'middleware' })).to.equal('error: refused on undefined, locals kept');
    expect(await post('/v1/chat/completions', { 'x-fail': 'handler' })).to.equal('error: rejected on /v1/chat/completions, locals kept');
  });
});

/** With authentication off, limits are kept per client address: the one Express's `req.ip` gives. */
describe('client address on the hot routes', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  async function start(env: Record<string, string>): Promise<void> {
    upstream = await startFakeUpstream();
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, RATE_LIMIT_RPM: '1', ...env });
  }
  afterEach(async () => {
    await gateway.close();
    await upstream.close();
  });

  async function chatFrom(forwardedFor: string): Promise<number> {
    upstream.enqueue(openAiCompletion('Hello'));
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify(CHAT) });
    await response.text();
    return response.status;
  }

  it('keeps the limits of clients behind a trusted proxy apart by their forwarded address', async () => {
    await start({});
    expect(await chatFrom('203.0.113.7')).to.equal(200);
    expect(await chatFrom('203.0.113.8')).to.equal(200);
    expect(await chatFrom('203.0.113.7')).to.equal(429);
  });

  it('ignores X-Forwarded-For from a peer it does not trust: one socket address, one limit', async () => {
    await start({ TRUST_PROXY: '10.0.0.1' });
    expect(await chatFrom('203.0.113.7')).to.equal(200);
    expect(await chatFrom('203.0.113.8')).to.equal(429);
  });
});

/**
 * On a hot route the middleware's headers wait and go out with the answer's own in one head; on
 * Express's routes each is set at once. Without CORS nothing else sets a header first, so this is
 * the path where the head is written from the list alone.
 */
describe('the response head on the hot routes', () => {
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  beforeEach(async () => {
    upstream = await startFakeUpstream();
    gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url });
  });
  afterEach(async () => {
    await gateway.close();
    await upstream.close();
  });

  /** Status and raw header lines, names lowercased, for one call to a path. */
  function head(path: string, body: unknown): Promise<{ status: number; names: string[]; headers: Record<string, string> }> {
    return new Promise((resolve, reject) => {
      const request = http.request(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'req-head-1' } }, (response) => {
        const names: string[] = [];
        const headers: Record<string, string> = {};
        for (let at = 0; at < response.rawHeaders.length; at += 2) {
          const name = (response.rawHeaders[at] as string).toLowerCase();
          names.push(name);
          headers[name] = VARYING_HEADERS.has(name) && name !== 'x-request-id' ? '(varies)' : (response.rawHeaders[at + 1] as string);
        }
        response.resume().on('end', () => resolve({ status: response.statusCode ?? 0, names, headers }));
      });
      request.on('error', reject);
      request.end(JSON.stringify(body));
    });
  }

  for (const [what, body, enqueue] of [
    ['a whole answer', CHAT, () => upstream.enqueue(openAiCompletion('Hello'))],
    ['a stream', { ...CHAT, stream: true }, () => upstream.enqueue(sseScenario(openAiStream(['Hel', 'lo'])))],
    ['an upstream failure, answered by the error handler after the middleware ran', CHAT, () => upstream.enqueue(errorScenario(400, 'bad request upstream'))],
  ] as const) {
    it(`carries every header once, the security headers and request id among them, as Express's route does: ${what}`, async () => {
      enqueue();
      const hot = await head('/v1/chat/completions', body);
      enqueue();
      const viaExpress = await head('/v1/chat/completions/', body);
      expect(new Set(hot.names).size, hot.names.join(', ')).to.equal(hot.names.length);
      expect(hot.headers).to.include({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'x-request-id': 'req-head-1' });
      expect(hot.status).to.equal(viaExpress.status);
      expect(hot.headers).to.deep.equal(viaExpress.headers);
    });
  }
});
