import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openAiCompletion, startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { graphqlHttp } from '../helpers/graphql-client.js';
import { postChat } from '../helpers/http.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { startGateway, type RunningGateway } from '../helpers/start-gateway.js';

interface UsageReport {
  data: { day: string; client: string; provider: string; model: string; requests: number; cache_hits: number; prompt_tokens: number; completion_tokens: number; cached_tokens: number; reasoning_tokens: number; cost: number }[];
  totals: { requests: number; prompt_tokens: number; completion_tokens: number; cost: number; cache_hits: number };
}

for (const backend of ['redis', 'memory'] as const) {
  describe(`usage tracking (${backend})`, () => {
    let redis: TestRedis | undefined;
    let upstream: FakeUpstream;
    let gateway: RunningGateway;

    before(async () => {
      if (backend === 'redis') redis = await startTestRedis();
    });
    after(async () => redis?.stop());
    beforeEach(async () => {
      upstream = await startFakeUpstream();
      gateway = await startGateway({ OPENROUTER_BASE_URL: upstream.url, ...(redis === undefined ? {} : { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'usage-test:' }) });
    });
    afterEach(async () => {
      await gateway.close();
      await upstream.close();
      if (redis !== undefined) await redis.client().flushall();
    });

    // Usage is recorded before the answer leaves, and a read writes the pending batch first: no waiting.
    const post = (body: Record<string, unknown>) => postChat(gateway.url, { model: 'm', ...body });
    const usage = async (query = '') => (await (await fetch(`${gateway.url}/v1/usage${query}`)).json()) as UsageReport;

    it('counts requests, tokens, cost and cache hits per client, provider, model and day', async () => {
      upstream.enqueue(openAiCompletion('a', { model: 'openai/gpt-4o', usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15, cost: 0.002, prompt_tokens_details: { cached_tokens: 4 }, completion_tokens_details: { reasoning_tokens: 2 } } }));
      upstream.enqueue(openAiCompletion('b', { model: 'openai/gpt-4o', usage: { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30, cost: 0.004 } }));
      await post({ model: 'openai/gpt-4o', temperature: 0 });
      await post({ model: 'openai/gpt-4o', temperature: 0.5 });
      await post({ model: 'openai/gpt-4o', temperature: 0 });
      const report = await usage();
      const today = new Date().toISOString().slice(0, 10);
      expect(report.data).to.have.length(1);
      const row = report.data[0]!;
      expect(row).to.include({ day: today, provider: 'openrouter', model: 'openai/gpt-4o', requests: 3, cache_hits: 1, prompt_tokens: 30, completion_tokens: 15, cached_tokens: 4, reasoning_tokens: 2 });
      expect(row.cost).to.be.closeTo(0.006, 1e-9);
      expect(row.client).to.match(/127\.0\.0\.1/);
      expect(report.totals).to.include({ requests: 3, prompt_tokens: 30 });
    });

    it('filters by provider, model and days, and rejects bad dates with 400', async () => {
      await post({ model: 'model-a' });
      await post({ model: 'model-b' });
      expect((await usage('?model=model-a')).data.map((row) => row.model)).to.deep.equal(['model-a']);
      expect((await usage('?provider=deepseek')).data).to.deep.equal([]);
      expect((await usage('?from=2000-01-01&to=2000-01-02')).data).to.deep.equal([]);
      const bad = await fetch(`${gateway.url}/v1/usage?from=yesterday`);
      expect(bad.status).to.equal(400);
      expect(((await bad.json()) as { error: { param: string } }).error.param).to.equal('from');
    });

    it('answers the same through GraphQL', async () => {
      await post({ model: 'model-g' });
      const result = await graphqlHttp<{ usage: { model: string; requests: number; promptTokens: number }[] }>(gateway.url, '{ usage { model requests promptTokens } }');
      expect(result.data?.usage).to.deep.equal([{ model: 'model-g', requests: 1, promptTokens: 5 }]);
    });

    if (backend === 'redis') {
      it('keeps counting when Redis has forgotten the recording script (a restart or a failover)', async () => {
        await post({ model: 'model-s' });
          await redis!.client().script('FLUSH');
        await post({ model: 'model-s' });
        await post({ model: 'model-s' });
          expect((await usage('?model=model-s')).totals.requests).to.equal(3);
      });
    }
  });
}

describe('configured prices', () => {
  it('cost comes from the providers file when the provider reports none', async () => {
    const upstream = await startFakeUpstream();
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'pricing-')), 'providers.yaml');
    writeFileSync(file, `providers:\n  - id: local\n    kind: openai-compatible\n    baseUrl: ${upstream.url}\n    models: [llama]\n    pricing:\n      llama: { promptPerMillion: 1000, completionPerMillion: 2000 }\n`);
    const gateway = await startGateway({ PROVIDERS_FILE: file });
    try {
      upstream.enqueue(openAiCompletion('x', { model: 'llama' }));
      await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'llama', messages: [{ role: 'user', content: 'Hi' }] }) });
      const report = (await (await fetch(`${gateway.url}/v1/usage`)).json()) as UsageReport;
      // 5 prompt tokens at $1000/M plus 2 completion tokens at $2000/M.
      expect(report.data[0]?.cost).to.be.closeTo(0.009, 1e-9);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});
