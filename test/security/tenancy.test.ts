import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config/load-config.js';
import { errorScenario, openAiCompletion, openAiStream, sseScenario, startFakeUpstream } from '../helpers/fake-upstream.js';
import { collectSubscription } from '../helpers/graphql-client.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { ADMIN_KEY, CHAT, CLIENT_KEY, startSecuredGateway, type SecuredSetup } from '../helpers/secured-gateway.js';
import { startGateway } from '../helpers/start-gateway.js';
import { waitFor } from '../helpers/wait.js';

interface ErrorBody {
  error: { code: string; param: string | null; message: string };
}

const chatCalls = (setup: SecuredSetup) => setup.upstream.requests.filter((request) => request.path.endsWith('/chat/completions')).length;

async function createKey(setup: SecuredSetup, limits: Record<string, unknown> = {}): Promise<{ id: string; key: string }> {
  const response = await setup.call('/v1/admin/keys', { key: ADMIN_KEY, body: { name: 'tenant', limits } });
  return (await response.json()) as { id: string; key: string };
}

describe('tenancy: model restrictions, limits and what clients may see', () => {
  let setup: SecuredSetup;
  beforeEach(async () => {
    setup = await startSecuredGateway({ MAX_TOKENS_LIMIT: '1000' });
  });
  afterEach(() => setup.close());

  it("checks every model a request can reach: OpenRouter's models list is held to the key's allowed models", async () => {
    const { key } = await createKey(setup, { allowed_models: ['openrouter/openai/gpt-4o-mini'] });
    const response = await setup.call('/v1/chat/completions', { key, body: { ...CHAT, model: 'openrouter/openai/gpt-4o-mini', models: ['openai/o1-pro', 'anthropic/claude-opus-4'] } });
    expect(response.status).to.equal(403);
    expect(((await response.json()) as ErrorBody).error).to.include({ code: 'model_not_allowed', param: 'models' });
    expect(chatCalls(setup)).to.equal(0);
    const allowed = await setup.call('/v1/chat/completions', { key, body: { ...CHAT, model: 'openrouter/openai/gpt-4o-mini', models: ['openai/gpt-4o-mini'] } });
    expect(allowed.status).to.equal(200);
  });

  it('answers a rate-limited request with the RateLimit headers every answer carries', async () => {
    const { key } = await createKey(setup, { requests_per_minute: 1 });
    expect((await setup.call('/v1/chat/completions', { key, body: CHAT })).status).to.equal(200);
    const refused = await setup.call('/v1/chat/completions', { key, body: CHAT });
    expect(refused.status).to.equal(429);
    expect(refused.headers.get('ratelimit-limit')).to.equal('1');
    expect(refused.headers.get('ratelimit-remaining')).to.equal('0');
    expect(Number(refused.headers.get('ratelimit-reset'))).to.be.within(1, 60);
    expect(refused.headers.get('retry-after')).to.equal(refused.headers.get('ratelimit-reset'));
  });

  it('holds max_completion_tokens to MAX_TOKENS_LIMIT and counts it in the token estimate', async () => {
    const tooMany = await setup.call('/v1/chat/completions', { key: CLIENT_KEY, body: { ...CHAT, max_completion_tokens: 5_000 } });
    expect(tooMany.status).to.equal(400);
    expect(((await tooMany.json()) as ErrorBody).error.param).to.equal('max_completion_tokens');
    const { key } = await createKey(setup, { tokens_per_minute: 500 });
    setup.upstream.setDefault(() => ({ ...openAiCompletion('slow'), headerDelayMs: 300 }));
    // While the first request is in flight it holds (nearly) the whole minute's tokens, reserved by its max_completion_tokens.
    const first = setup.call('/v1/chat/completions', { key, body: { ...CHAT, max_completion_tokens: 900 } });
    await waitFor(() => chatCalls(setup) === 1, { what: 'the first request to reach the provider' });
    const second = await setup.call('/v1/chat/completions', { key, body: { ...CHAT, max_completion_tokens: 400 } });
    expect(second.status).to.equal(429);
    expect((await first).status).to.equal(200);
  });

  it("shows the last error's text to the admin only; client keys see its code and time", async () => {
    setup.upstream.setDefault(() => errorScenario(500, 'upstream trace: tenant-A prompt "secret plans"'));
    await setup.call('/v1/chat/completions', { key: CLIENT_KEY, body: CHAT });
    const asClient = (await (await setup.call('/v1/providers', { key: CLIENT_KEY })).json()) as { data: { last_error: { code: string; message: string } | null }[] };
    expect(asClient.data[0]?.last_error?.code).to.equal('upstream_unavailable');
    expect(JSON.stringify(asClient)).not.to.include('secret plans');
    const asAdmin = (await (await setup.call('/v1/providers', { key: ADMIN_KEY })).json()) as { data: { last_error: { message: string } | null }[] };
    expect(asAdmin.data[0]?.last_error?.message).to.include('secret plans');
  });

  for (const model of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    it(`routes a model named "${model}" like any other name, never a 500`, async () => {
      const response = await setup.call('/v1/chat/completions', { key: CLIENT_KEY, body: { ...CHAT, model } });
      expect(response.status).to.equal(200);
      expect(setup.upstream.requests.at(-1)?.body?.model).to.equal(model);
    });
  }

  it('encodes an upstream model name that cannot be a header value, and answers 200', async () => {
    setup.upstream.setDefault(() => openAiCompletion('ok', { model: 'evil\r\nSet-Cookie: a=b ünïcødé' }));
    for (const stream of [false, false]) {
      const response = await setup.call('/v1/chat/completions', { key: CLIENT_KEY, body: { ...CHAT, temperature: 0, stream } });
      expect(response.status).to.equal(200);
      expect(response.headers.get('set-cookie')).to.equal(null);
      expect(decodeURIComponent(response.headers.get('x-gateway-model') ?? '')).to.equal('evil\r\nSet-Cookie: a=b ünïcødé');
    }
  });

  it('refuses an unauthenticated request before reading its body', async () => {
    const { port } = new URL(setup.gateway.url);
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json', 'content-length': '100000' } }, (response) => {
        resolve(response.statusCode ?? 0);
        response.resume();
        request.destroy();
      });
      request.on('error', reject);
      // A few bytes of a body that never finishes.
      request.write('{"model":');
    });
    expect(status).to.equal(401);
  });
});

describe('tenancy: WebSocket connections follow their key', () => {
  let setup: SecuredSetup;
  beforeEach(async () => {
    setup = await startSecuredGateway();
  });
  afterEach(() => setup.close());

  it('closes a socket whose key was revoked within five seconds, and refuses it new subscriptions', async function () {
    this.timeout(15_000);
    const { id, key } = await createKey(setup);
    let closedWith: number | undefined;
    const client = createClient({
      url: setup.gateway.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      connectionParams: { authorization: `Bearer ${key}` },
      on: { closed: (event) => (closedWith = (event as { code: number }).code) },
    });
    try {
      const query = 'subscription { chatCompletionStream(input: { model: "m", messages: [{ role: USER, content: "Hi" }] }) { choices { delta { content } } } }';
      expect((await collectSubscription(client, query, {})).length).to.be.above(0);
      const revokedAt = Date.now();
      expect((await setup.call(`/v1/admin/keys/${id}`, { method: 'DELETE', key: ADMIN_KEY })).status).to.equal(200);
      await waitFor(() => closedWith !== undefined, { timeoutMs: 6_000, what: 'the socket to close' });
      expect(closedWith).to.equal(4403);
      expect(Date.now() - revokedAt).to.be.below(5_500);
    } finally {
      await client.dispose();
    }
  });

  it('with authentication off, refuses WebSocket connections from origins not in CORS_ORIGINS', async () => {
    const open = await startGateway({ CORS_ORIGINS: 'https://app.example.com' });
    try {
      const connect = (origin?: string) =>
        new Promise<string>((resolve) => {
          const socket = new WebSocket(open.wsUrl, 'graphql-transport-ws', origin === undefined ? {} : { origin });
          socket.once('open', () => {
            socket.close();
            resolve('open');
          });
          socket.once('unexpected-response', (_request, response) => resolve(`refused ${response.statusCode}`));
          socket.once('error', () => resolve('error'));
        });
      expect(await connect('https://evil.example')).to.equal('refused 401');
      expect(await connect('https://app.example.com')).to.equal('open');
      expect(await connect()).to.equal('open');
    } finally {
      await open.close();
    }
  });
});

describe('tenancy: key lookups while Redis hangs', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(() => redis.stop());

  it('keeps known keys valid at once from the local cache, and a flood of unknown tokens evicts none', async function () {
    this.timeout(20_000);
    const setup = await startSecuredGateway({ REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'tenancy-test:', REDIS_COMMAND_TIMEOUT_MS: '500' });
    try {
      const { key } = await createKey(setup);
      expect((await setup.call('/v1/models', { key })).status).to.equal(200);
      redis.pause();
      for (let i = 0; i < 50; i++) await setup.call('/v1/models', { key: `sk-random-token-${i}-xxxxxxxxxxxx` });
      await new Promise((resolve) => setTimeout(resolve, 3_100));
      const started = performance.now();
      const response = await setup.call('/v1/models', { key });
      expect(response.status).to.equal(200);
      expect(performance.now() - started).to.be.below(400);
      expect((await setup.call('/v1/models', { key: 'sk-never-seen-token-xxxxxxxxxxxx' })).status).to.equal(401);
    } finally {
      redis.resume();
      await setup.close();
    }
  });
});

describe('tenancy: safe defaults', () => {
  it('binds an open gateway to loopback unless HOST says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).host).to.equal('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'development', HOST: '0.0.0.0' }).host).to.equal('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'development', API_KEYS: `k:${CLIENT_KEY}` }).host).to.equal('0.0.0.0');
  });
});

describe('tenancy: every token produced is charged', () => {
  let setup: SecuredSetup;
  const usageOf = async () => {
    const body = (await (await setup.call('/v1/usage', { key: CLIENT_KEY })).json()) as { totals: { requests: number; prompt_tokens: number; completion_tokens: number } };
    return body.totals;
  };
  afterEach(() => setup.close());

  it('records a stream the client aborted, with the tokens it received', async () => {
    setup = await startSecuredGateway();
    setup.upstream.setDefault(() => sseScenario(openAiStream(Array.from({ length: 200 }, (_, i) => `token${i} `)), 5));
    const leaving = new AbortController();
    const response = await fetch(`${setup.gateway.url}/v1/chat/completions`, {
      method: 'POST',
      signal: leaving.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
      body: JSON.stringify({ ...CHAT, stream: true }),
    });
    const reader = response.body!.getReader();
    for (let i = 0; i < 5; i++) await reader.read();
    leaving.abort();
    await waitFor(async () => (await usageOf()).requests === 1, { what: 'the aborted stream to be recorded' });
    const totals = await usageOf();
    expect(totals.prompt_tokens).to.be.above(0);
    expect(totals.completion_tokens).to.be.above(0);
  });

  it('records a stream an output rule stopped', async () => {
    setup = await startSecuredGateway({ OUTPUT_BLOCK_REGEX: 'FORBIDDEN' });
    setup.upstream.setDefault(() => sseScenario(openAiStream(['fine ', 'text ', 'FORBIDDEN ', 'more'])));
    const text = await (await setup.call('/v1/chat/completions', { key: CLIENT_KEY, body: { ...CHAT, stream: true } })).text();
    expect(text).to.include('output_blocked');
    await waitFor(async () => (await usageOf()).requests === 1, { what: 'the blocked stream to be recorded' });
    expect((await usageOf()).completion_tokens).to.be.above(0);
  });

  it('charges the client that stays when the one that started a shared stream leaves', async () => {
    setup = await startSecuredGateway();
    setup.upstream.setDefault(() => sseScenario(openAiStream(Array.from({ length: 60 }, (_, i) => `t${i} `)), 10));
    const open = (signal?: AbortSignal) =>
      fetch(`${setup.gateway.url}/v1/chat/completions`, {
        method: 'POST',
        ...(signal === undefined ? {} : { signal }),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
        body: JSON.stringify({ ...CHAT, temperature: 0, stream: true }),
      });
    const leaving = new AbortController();
    const leader = await open(leaving.signal);
    await leader.body!.getReader().read();
    const joiner = await open();
    const joinerText = joiner.text();
    leaving.abort();
    await joinerText;
    await waitFor(async () => (await usageOf()).requests === 2, { what: 'both clients to be recorded' });
    // The joiner paid for the whole answer (60 tokens from the provider's usage), not nothing.
    expect((await usageOf()).completion_tokens).to.be.at.least(60);
  });
});

describe('tenancy: budgets and token limits hold under concurrency, across replicas', () => {
  let redis: TestRedis;
  before(async () => {
    redis = await startTestRedis();
  });
  after(() => redis.stop());

  it('50 parallel requests through two replicas overrun a nearly spent budget and token limit by at most one estimate', async function () {
    this.timeout(30_000);
    const upstream = await startFakeUpstream();
    // 5 prompt tokens at $100/M plus 2 completion tokens at $250/M: $0.001 a request.
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'budget-')), 'providers.yaml');
    writeFileSync(file, `providers:\n  - id: local\n    kind: openai-compatible\n    baseUrl: ${upstream.url}\n    apiKeyEnv: null\n    models: [m]\n    pricing:\n      m: { promptPerMillion: 100, completionPerMillion: 250 }\n`);
    const env = { PROVIDERS_FILE: file, DEFAULT_PROVIDER: 'local', ADMIN_API_KEY: ADMIN_KEY, API_KEYS: `tests:${CLIENT_KEY}`, REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'budget-test:', RATE_LIMIT_RPM: '0' };
    const replicas = [await startGateway(env), await startGateway(env)];
    const call = (index: number, key: string, body: unknown) =>
      fetch(`${replicas[index % 2]!.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
    const create = async (limits: Record<string, unknown>) =>
      (await (await fetch(`${replicas[0]!.url}/v1/admin/keys`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ name: 'c', limits }) })).json()) as { id: string; key: string; budget_note: string | null };
    try {
      upstream.setDefault(() => ({ ...openAiCompletion('x', { model: 'm' }), headerDelayMs: 50 }));
      const budgeted = await create({ budget_usd: 0.0015 });
      expect(budgeted.budget_note).to.equal(null);
      expect((await call(0, budgeted.key, { ...CHAT, max_tokens: 100 })).status).to.equal(200);
      const statuses = await Promise.all(Array.from({ length: 50 }, (_, i) => call(i, budgeted.key, { ...CHAT, max_tokens: 100 }).then((response) => response.status)));
      // $0.0005 was left: one request may take it (its estimate, $0.0250, exceeds what is left), no more.
      expect(statuses.filter((status) => status === 200).length).to.be.at.most(1);
      expect(statuses.filter((status) => status === 402).length).to.be.at.least(49);
      const usage = (await (await fetch(`${replicas[1]!.url}/v1/usage?client=${budgeted.id}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).json()) as { totals: { cost: number } };
      expect(usage.totals.cost).to.be.at.most(0.0015 + 0.0251);

      // Tokens: max_tokens 100 and a short prompt estimate about 110 tokens a request.
      const limited = await create({ tokens_per_minute: 360 });
      for (let i = 0; i < 3; i++) expect((await call(i, limited.key, { ...CHAT, max_tokens: 100 })).status).to.equal(200);
      const tokenStatuses = await Promise.all(Array.from({ length: 50 }, (_, i) => call(i, limited.key, { ...CHAT, max_tokens: 100 }).then((response) => response.status)));
      // 3 x 7 tokens were used: 339 are left, room for 3 estimates; the 4th would overrun by more than one.
      expect(tokenStatuses.filter((status) => status === 200).length).to.be.within(1, 3);
      expect(tokenStatuses.filter((status) => status === 429).length).to.be.at.least(47);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
      await upstream.close();
    }
  });

  it('says, at the key, when a budget cannot see a provider’s spend', async () => {
    const upstream = await startFakeUpstream();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'budget-')), 'providers.yaml');
    writeFileSync(file, `providers:\n  - id: local\n    kind: openai-compatible\n    baseUrl: ${upstream.url}\n    apiKeyEnv: null\n    models: [m]\n`);
    const gateway = await startGateway({ PROVIDERS_FILE: file, ADMIN_API_KEY: ADMIN_KEY });
    try {
      const created = (await (await fetch(`${gateway.url}/v1/admin/keys`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` }, body: JSON.stringify({ name: 'b', limits: { budget_usd: 5 } }) })).json()) as { budget_note: string | null };
      expect(created.budget_note).to.include('local');
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});

describe('tenancy: image URLs for self-hosted providers', () => {
  it('sends self-hosted providers only https and data: image URLs by default, and what the providers file allows', async () => {
    const upstream = await startFakeUpstream();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'images-')), 'providers.yaml');
    writeFileSync(
      file,
      `providers:\n  - id: local\n    kind: openai-compatible\n    baseUrl: ${upstream.url}\n    apiKeyEnv: null\n    models: [m, strict-m]\n  - id: strict\n    kind: openai-compatible\n    baseUrl: ${upstream.url}\n    apiKeyEnv: null\n    models: [s]\n    imageUrls: { schemes: [https], hosts: ['*.example.org'] }\n`,
    );
    const gateway = await startGateway({ PROVIDERS_FILE: file, DEFAULT_PROVIDER: 'local' });
    const send = (model: string, url: string) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url } }] }] }),
      });
    try {
      const metadata = await send('m', 'http://169.254.169.254/latest/meta-data/');
      expect(metadata.status).to.equal(400);
      expect(((await metadata.json()) as ErrorBody).error.param).to.equal('messages[0].content[1].image_url.url');
      expect((await send('m', 'https://cdn.example.org/cat.png')).status).to.equal(200);
      expect((await send('m', 'data:image/png;base64,iVBORw0KGgo=')).status).to.equal(200);
      expect((await send('s', 'https://images.example.org/cat.png')).status).to.equal(200);
      expect((await send('s', 'https://elsewhere.example.com/cat.png')).status).to.equal(400);
      expect(upstream.requests.filter((request) => request.path.endsWith('/chat/completions'))).to.have.length(3);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});

describe('tenancy: spend recorded while Redis is away', () => {
  it('is written back when Redis returns', async () => {
    const { SpendTracker } = await import('../../src/auth/spend-tracker.js');
    const { connectRedis } = await import('../../src/redis/redis-connection.js');
    const { createLogger } = await import('../../src/observability/logger.js');
    const redis = await startTestRedis();
    const connection = connectRedis({ url: redis.url, sentinels: [], sentinelName: undefined, clusterNodes: [], keyPrefix: 'spend-test:', commandTimeoutMs: 200, connectTimeoutMs: 500 }, createLogger('silent'));
    try {
      await connection.firstConnection;
      const spend = new SpendTracker(connection);
      await redis.kill();
      await waitFor(() => !connection.isReady(), { what: 'the connection to notice' });
      spend.add('key_1', 0.25);
      expect(spend.unwrittenKeys).to.equal(1);
      await redis.start();
      await waitFor(() => connection.isReady(), { timeoutMs: 10_000, what: 'Redis to return' });
      await spend.writeBack();
      expect(Number(await redis.client().get('spend-test:spend:key_1'))).to.equal(0.25);
      expect(await spend.spent('key_1')).to.equal(0.25);
    } finally {
      await connection.close();
      await redis.stop();
    }
  });
});
