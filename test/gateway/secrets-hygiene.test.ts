import { expect } from 'chai';
import { errorScenario, openAiStream, sseScenario } from '../helpers/fake-upstream.js';
import { PROVIDER_KEYS, postCompletion, startMultiProviderGateway, THREE_PROVIDER_CHAIN } from '../helpers/multi-provider-gateway.js';

describe('provider keys never leave the gateway', () => {
  it('appear in no response body, header or log line across every error path', async () => {
    const setup = await startMultiProviderGateway(THREE_PROVIDER_CHAIN, { RETRY_MAX_ATTEMPTS: '2', UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '300' });
    const echo = (id: string) => `key ${PROVIDER_KEYS[id]} rejected (Authorization: Bearer ${PROVIDER_KEYS[id]})`;
    const outputs: string[] = [];
    const record = async (response: Response) => {
      outputs.push(JSON.stringify([...response.headers.entries()]), await response.text());
    };
    try {
      for (const status of [400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503]) {
        for (const id of ['deepseek', 'openrouter', 'local']) setup.upstreams[id]!.enqueue(errorScenario(status, echo(id), { 'retry-after': '0' }));
        await record(await postCompletion(setup.gateway.url, { model: 'deepseek-chat' }));
      }
      // Mid-stream error events that echo the key.
      setup.upstreams.deepseek!.enqueue(sseScenario([...openAiStream(['x'], { finishReason: null, usage: null, done: false }), `data: ${JSON.stringify({ error: { message: echo('deepseek') } })}\n\n`]));
      await record(await postCompletion(setup.gateway.url, { model: 'deepseek-chat', stream: true }));
      // A timeout, a refused connection, and listing endpoints.
      setup.upstreams.deepseek!.enqueue({ headerDelayMs: 2_000, pieces: ['{}'] });
      setup.upstreams.openrouter!.enqueue(errorScenario(500, echo('openrouter')));
      await setup.upstreams.local!.close();
      await record(await postCompletion(setup.gateway.url, { model: 'deepseek-chat' }));
      for (const path of ['/v1/providers', '/v1/models', '/v1/providers/local/health', '/v1/providers/deepseek/health', '/health/ready']) {
        await record(await fetch(`${setup.gateway.url}${path}`));
      }
      const everything = [...outputs, ...setup.logs].join('\n');
      expect(outputs.length).to.be.above(30);
      expect(setup.logs.length).to.be.above(0);
      for (const key of Object.values(PROVIDER_KEYS)) expect(everything).not.to.include(key);
    } finally {
      await setup.close();
    }
  });
});

describe('client and admin keys never leave the gateway', () => {
  it('appear in no log line, error body or metric of any path', async () => {
    const { startGateway } = await import('../helpers/start-gateway.js');
    const { startFakeUpstream } = await import('../helpers/fake-upstream.js');
    const { createLogger } = await import('../../src/observability/logger.js');
    const { Writable } = await import('node:stream');
    const clientKey = 'sk-canary-client-key-77777777';
    const adminKey = 'sk-canary-admin-key-88888888';
    const wrongKey = 'sk-canary-wrong-key-99999999';
    const logs: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _encoding, callback) => (logs.push(chunk.toString()), callback()) });
    const upstream = await startFakeUpstream();
    const gateway = await startGateway(
      { OPENROUTER_BASE_URL: upstream.url, API_KEYS: `canary:${clientKey}`, ADMIN_API_KEY: adminKey, LOG_LEVEL: 'trace' },
      { logger: createLogger('trace', sink) },
    );
    const outputs: string[] = [];
    try {
      const call = async (path: string, key: string, init: RequestInit = {}) => {
        const response = await fetch(`${gateway.url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
        outputs.push(JSON.stringify([...response.headers.entries()]), await response.text());
      };
      const chat = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
      await call('/v1/chat/completions', clientKey, { method: 'POST', body: chat });
      await call('/v1/chat/completions', wrongKey, { method: 'POST', body: chat });
      await call('/v1/chat/completions', clientKey, { method: 'POST', body: '{bad json' });
      await call('/v1/admin/keys', clientKey);
      await call('/v1/admin/keys', adminKey);
      await call('/v1/usage?client=*', adminKey);
      await call('/v1/providers/openrouter/disable', clientKey, { method: 'POST' });
      await call('/graphql', wrongKey, { method: 'POST', body: JSON.stringify({ query: '{ apiKeys { id } }' }) });
      await call('/graphql', clientKey, { method: 'POST', body: JSON.stringify({ query: '{ apiKeys { id } }' }) });
      const everything = [...outputs, ...logs].join('\n');
      for (const key of [clientKey, adminKey, wrongKey]) expect(everything).not.to.include(key);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});
