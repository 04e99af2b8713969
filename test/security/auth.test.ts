import { expect } from 'chai';
import OpenAI from 'openai';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { FIELD_ACCESS } from '../../src/graphql/field-access.js';
import { createGraphqlSchema } from '../../src/graphql/schema.js';
import { ADMIN_KEY, CHAT, CLIENT_KEY, startSecuredGateway, type SecuredSetup } from '../helpers/secured-gateway.js';

interface ErrorBody {
  error: { code: string; message: string; type: string };
}

/** A minimal valid call of each REST operation, by operationId. */
const REST_SAMPLES: Record<string, { method: string; path: string; body?: unknown }> = {
  createChatCompletion: { method: 'POST', path: '/v1/chat/completions', body: CHAT },
  listModels: { method: 'GET', path: '/v1/models' },
  retrieveModel: { method: 'GET', path: '/v1/models/openrouter/test/model' },
  createEmbeddings: { method: 'POST', path: '/v1/embeddings', body: { model: 'm', input: 'Hi' } },
  createCompletion: { method: 'POST', path: '/v1/completions', body: { model: 'm', prompt: 'Hi' } },
  createResponse: { method: 'POST', path: '/v1/responses', body: { model: 'm', input: 'Hi' } },
  retrieveResponse: { method: 'GET', path: '/v1/responses/resp_missing' },
  deleteResponse: { method: 'DELETE', path: '/v1/responses/resp_missing' },
  createMessage: { method: 'POST', path: '/v1/messages', body: { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'Hi' }] } },
  countMessageTokens: { method: 'POST', path: '/v1/messages/count_tokens', body: { model: 'm', messages: [{ role: 'user', content: 'Hi' }] } },
  listProviders: { method: 'GET', path: '/v1/providers' },
  getProviderHealth: { method: 'GET', path: '/v1/providers/openrouter/health' },
  disableProvider: { method: 'POST', path: '/v1/providers/deepseek/disable' },
  enableProvider: { method: 'POST', path: '/v1/providers/deepseek/enable' },
  getUsage: { method: 'GET', path: '/v1/usage' },
  listApiKeys: { method: 'GET', path: '/v1/admin/keys' },
  createApiKey: { method: 'POST', path: '/v1/admin/keys', body: { name: 'sample' } },
  updateApiKey: { method: 'PATCH', path: '/v1/admin/keys/key_nope', body: { limits: {} } },
  revokeApiKey: { method: 'DELETE', path: '/v1/admin/keys/key_nope' },
  getLiveness: { method: 'GET', path: '/health/live' },
  getReadiness: { method: 'GET', path: '/health/ready' },
};

/** A minimal operation for each GraphQL root field. */
const GRAPHQL_SAMPLES: Record<string, string> = {
  'Query.health': '{ health { status } }',
  'Query.providers': '{ providers { id } }',
  'Query.providerHealth': '{ providerHealth(id: "openrouter") { id } }',
  'Query.models': '{ models { id } }',
  'Query.usage': '{ usage { day } }',
  'Query.apiKeys': '{ apiKeys { id } }',
  'Mutation.createChatCompletion': 'mutation { createChatCompletion(input: { model: "m", messages: [{ role: USER, content: "Hi" }] }) { id } }',
  'Mutation.setProviderEnabled': 'mutation { setProviderEnabled(id: "deepseek", enabled: true) { id } }',
  'Mutation.createApiKey': 'mutation { createApiKey(name: "x") { key } }',
  'Mutation.updateApiKey': 'mutation { updateApiKey(id: "key_nope", limits: {}) { id } }',
  'Mutation.revokeApiKey': 'mutation { revokeApiKey(id: "key_nope") { id } }',
};

describe('authentication and roles', () => {
  let setup: SecuredSetup;

  beforeEach(async () => {
    setup = await startSecuredGateway();
  });
  afterEach(() => setup.close());

  it('lets the official SDK in with its apiKey, and refuses it without one', async () => {
    const good = new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: CLIENT_KEY, maxRetries: 0 });
    const completion = await good.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).to.equal('Hello world');
    const bad = new OpenAI({ baseURL: `${setup.gateway.url}/v1`, apiKey: 'sk-wrong-key-000000000000000', maxRetries: 0 });
    try {
      await bad.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
      expect.fail('should have been refused');
    } catch (error) {
      expect(error).to.be.instanceOf(OpenAI.AuthenticationError);
    }
    expect(setup.upstream.requests.filter((request) => request.path.endsWith('/chat/completions'))).to.have.length(1);
  });

  it('puts every REST operation behind the right check', async () => {
    const spec = Object.keys(REST_SAMPLES);
    const routes = await import('../../src/contract/schema-files.js').then(({ readOpenApiDocument }) =>
      Object.values(readOpenApiDocument().paths).flatMap((item) => Object.values(item).map((operation) => (operation as { operationId: string }).operationId)),
    );
    expect(spec.sort()).to.deep.equal(routes.sort());
    for (const [operationId, sample] of Object.entries(REST_SAMPLES)) {
      const isPublic = operationId === 'getLiveness' || operationId === 'getReadiness';
      const isAdmin = ['disableProvider', 'enableProvider', 'listApiKeys', 'createApiKey', 'updateApiKey', 'revokeApiKey'].includes(operationId);
      const anonymous = await setup.call(sample.path, { method: sample.method, body: sample.body });
      if (isPublic) expect(anonymous.status, `${operationId} without a key`).to.be.oneOf([200, 503]);
      else expect(((await anonymous.json()) as ErrorBody).error.code, `${operationId} without a key`).to.equal('unauthenticated');
      const asClient = await setup.call(sample.path, { method: sample.method, body: sample.body, key: CLIENT_KEY });
      if (isAdmin) {
        expect(asClient.status, `${operationId} with a client key`).to.equal(403);
        expect(((await asClient.json()) as ErrorBody).error.code).to.equal('forbidden');
      } else {
        // A stored response that does not exist is still a request the key was allowed to make.
        const allowed = operationId === 'retrieveResponse' || operationId === 'deleteResponse' ? [404] : [200, 503];
        expect(asClient.status, `${operationId} with a client key`).to.be.oneOf(allowed);
      }
      const asAdmin = await setup.call(sample.path, { method: sample.method, body: sample.body, key: ADMIN_KEY });
      expect(asAdmin.status, `${operationId} with the admin key`).to.be.oneOf([200, 201, 404, 503]);
    }
  });

  it('puts every GraphQL root field behind the right check', async () => {
    const schema = createGraphqlSchema();
    const fields = ['Query', 'Mutation', 'Subscription'].flatMap((type) => Object.keys((schema.getType(type) as unknown as { getFields(): object }).getFields()).map((field) => `${type}.${field}`));
    expect(fields.sort()).to.deep.equal(Object.keys(FIELD_ACCESS).sort());
    const run = async (query: string, key?: string) => {
      const response = await setup.call('/graphql', { body: { query }, ...(key === undefined ? {} : { key }) });
      return (await response.json()) as { errors?: { extensions: { code: string } }[] };
    };
    for (const [field, query] of Object.entries(GRAPHQL_SAMPLES)) {
      const access = FIELD_ACCESS[field];
      const anonymous = await run(query);
      if (access === 'public') expect(anonymous.errors, field).to.equal(undefined);
      else expect(anonymous.errors?.[0]?.extensions.code, `${field} without a key`).to.equal('unauthenticated');
      const asClient = await run(query, CLIENT_KEY);
      if (access === 'admin') expect(asClient.errors?.[0]?.extensions.code, `${field} with a client key`).to.equal('forbidden');
      else expect(asClient.errors, `${field} with a client key`).to.equal(undefined);
      const asAdmin = await run(query, ADMIN_KEY);
      expect(asAdmin.errors?.[0]?.extensions.code ?? 'ok', `${field} as admin`).to.be.oneOf(['ok', 'not_found']);
    }
  });

  it('closes a graphql-ws connection without a valid key with 4403, and serves one with it', async () => {
    const closeCode = await new Promise<number>((resolve) => {
      const client = createClient({ url: setup.gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: 'Bearer nope-nope-nope-nope-nope' }, on: { closed: (event) => resolve((event as { code: number }).code) } });
      client.subscribe({ query: '{ health { status } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    expect(closeCode).to.equal(4403);
    const client = createClient({ url: setup.gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${CLIENT_KEY}` } });
    const chunks: unknown[] = [];
    await new Promise<void>((resolve, reject) =>
      client.subscribe(
        { query: 'subscription { chatCompletionStream(input: { model: "m", messages: [{ role: USER, content: "Hi" }] }) { choices { delta { content } } } }' },
        { next: (value) => chunks.push(value), error: reject, complete: resolve },
      ),
    );
    expect(chunks.length).to.be.above(1);
    await client.dispose();
  });

  it('manages keys: created and shown once, listed without secrets, limited, revoked', async () => {
    const created = await setup.call('/v1/admin/keys', { key: ADMIN_KEY, body: { name: 'team-a', limits: { allowed_models: ['openrouter/allowed/*'], requests_per_minute: 2 } } });
    expect(created.status).to.equal(201);
    const key = (await created.json()) as { id: string; key: string; prefix: string };
    expect(key.key).to.match(/^sk-gw-[A-Za-z0-9_-]{40,}$/);
    expect(key.key.startsWith(key.prefix)).to.equal(true);

    const listed = JSON.stringify(await (await setup.call('/v1/admin/keys', { key: ADMIN_KEY })).json());
    expect(listed).to.include(key.id);
    expect(listed).not.to.include(key.key);
    expect(listed).not.to.match(/"hash"/);

    const allowed = await setup.call('/v1/chat/completions', { key: key.key, body: { ...CHAT, model: 'allowed/model-x' } });
    expect(allowed.status).to.equal(200);
    const denied = await setup.call('/v1/chat/completions', { key: key.key, body: { ...CHAT, model: 'other/model' } });
    expect(denied.status).to.equal(403);
    expect(((await denied.json()) as ErrorBody).error.code).to.equal('model_not_allowed');
    // Its own limit is two requests per minute; the refused model did not count.
    await setup.call('/v1/chat/completions', { key: key.key, body: { ...CHAT, model: 'allowed/model-x' } });
    const limited = await setup.call('/v1/chat/completions', { key: key.key, body: { ...CHAT, model: 'allowed/model-x' } });
    expect(limited.status).to.equal(429);

    const updated = await setup.call(`/v1/admin/keys/${key.id}`, { method: 'PATCH', key: ADMIN_KEY, body: { limits: { budget_usd: 0 } } });
    expect(((await updated.json()) as { limits: unknown }).limits).to.deep.equal({ budget_usd: 0 });
    const broke = await setup.call('/v1/chat/completions', { key: key.key, body: CHAT });
    expect(broke.status).to.equal(402);
    expect(((await broke.json()) as ErrorBody).error.code).to.equal('budget_exceeded');

    const revoked = await setup.call(`/v1/admin/keys/${key.id}`, { method: 'DELETE', key: ADMIN_KEY });
    expect(((await revoked.json()) as { revoked_at: string | null }).revoked_at).to.be.a('string');
    expect((await setup.call('/v1/models', { key: key.key })).status).to.equal(401);
  });

  it('keeps keys from API_KEYS read-only, and usage per key', async () => {
    const listed = (await (await setup.call('/v1/admin/keys', { key: ADMIN_KEY })).json()) as { data: { id: string; source: string }[] };
    const envKey = listed.data.find((entry) => entry.source === 'env')!;
    expect((await setup.call(`/v1/admin/keys/${envKey.id}`, { method: 'DELETE', key: ADMIN_KEY })).status).to.equal(403);
    await setup.call('/v1/chat/completions', { key: CLIENT_KEY, body: CHAT });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const own = (await (await setup.call('/v1/usage', { key: CLIENT_KEY })).json()) as { data: { client: string }[] };
    expect(own.data.map((row) => row.client)).to.deep.equal([envKey.id]);
    expect((await setup.call('/v1/usage?client=*', { key: CLIENT_KEY })).status).to.equal(403);
    const all = (await (await setup.call('/v1/usage?client=*', { key: ADMIN_KEY })).json()) as { data: unknown[] };
    expect(all.data).to.have.length(1);
  });

  it('rejects strange keys the same way, never with a 500', async () => {
    const strange = ['"quoted"', "' OR 1=1 --", 'x'.repeat(64 * 1024), 'Bearer', '\u00e9\u00e8', `${CLIENT_KEY} ${CLIENT_KEY}`, ''];
    for (const key of strange) {
      const response = await fetch(`${setup.gateway.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } }).catch(() => undefined);
      if (response === undefined) continue;
      expect(response.status, JSON.stringify(key.slice(0, 20))).to.equal(401);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.code).to.equal('unauthenticated');
      expect(body.error.message).to.equal('Missing or invalid API key. Send it as: Authorization: Bearer <key>.');
    }
    expect((await fetch(`${setup.gateway.url}/health/live`)).status).to.equal(200);
  });
});
