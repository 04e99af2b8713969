import { expect } from 'chai';
import { ApiKeys } from '../../src/auth/api-keys.js';
import { MemoryApiKeyStore } from '../../src/auth/api-key-stores.js';
import { SpendTracker } from '../../src/auth/spend-tracker.js';
import { MemoryCacheStore } from '../../src/cache/cache-store.js';
import { ResponseCache } from '../../src/cache/response-cache.js';
import { GatewayService } from '../../src/gateway/gateway-service.js';
import { createLogger } from '../../src/observability/logger.js';
import { OutputFilter } from '../../src/output/output-filter.js';
import { MemoryUsageStore } from '../../src/usage/memory-usage-store.js';
import { UsageRecorder } from '../../src/usage/usage-recorder.js';
import type { ChatCompletionCommand } from '../../src/vocabulary/chat-results.js';
import type { RequestContext } from '../../src/vocabulary/request-context.js';
import { fakeProvider, fakeRegistry, type FakeProvider } from '../helpers/fake-provider.js';
import { testClock } from '../helpers/runner-deps.js';

describe('the chat pipeline, through the gateway service', () => {
  let provider: FakeProvider;
  let gateway: GatewayService;
  let usage: UsageRecorder;
  const clock = testClock();
  const command: ChatCompletionCommand = { model: 'p/m', messages: [{ role: 'user', content: 'Hi' }], temperature: 0 };
  const context = (overrides: Partial<RequestContext> = {}): RequestContext => ({ requestId: 'r', clientId: 'client-1', signal: new AbortController().signal, report: {}, ...overrides });

  beforeEach(() => {
    provider = fakeProvider('p');
    const logger = createLogger('silent');
    usage = new UsageRecorder(new MemoryUsageStore(), logger, 10, clock.now);
    gateway = new GatewayService({
      registry: fakeRegistry({ provider }),
      routing: { defaultProvider: 'p', defaultModel: undefined, aliases: {}, fallbacks: {}, groups: {} },
      logger,
      version: 'test',
      requestTimeoutMs: 10_000,
      retryBudget: { ratio: 1, minPerSecond: 10 },
      cooldowns: { rateLimitedMs: 1_000, keyRejectedMs: 60_000, maxDeployments: 100, idleMs: 600_000 },
      cache: new ResponseCache({ enabled: true, ttlSeconds: 60, cacheNondeterministic: false, maxEntryBytes: 65_536, memoryMaxEntries: 10 }, new MemoryCacheStore(10, clock.now)),
      usage,
      apiKeys: new ApiKeys({ authEnabled: false, bootstrapKeys: [], adminKey: undefined }, new MemoryApiKeyStore()),
      spend: new SpendTracker(undefined),
      inputLimits: { maxMessages: 10, maxMessageChars: 1_000, maxTokensLimit: 0 },
      outputFilter: new OutputFilter({ redactPresets: [], redactPattern: undefined, blockPattern: undefined, holdbackChars: 0 }),
      now: clock.now,
    });
  });
  afterEach(() => gateway.close());

  it('serves a repeat from the cache without calling the provider, and says which deployment served the first', async () => {
    const first = await gateway.createChatCompletion(command, context());
    expect(first).to.deep.include({ provider: 'p', deployment: 'p/m#TEST_KEY', attempts: 1, cacheStatus: 'MISS' });
    const second = await gateway.createChatCompletion(command, context());
    expect(second).to.deep.include({ attempts: 0, cacheStatus: 'HIT' });
    expect(provider.calls).to.have.length(1);
  });

  it('shares one upstream call between identical requests in flight', async () => {
    const [a, b] = await Promise.all([gateway.createChatCompletion(command, context()), gateway.createChatCompletion(command, context({ report: {} }))]);
    expect(a.choices[0]?.message.content).to.equal(b.choices[0]?.message.content);
    expect(provider.calls).to.have.length(1);
  });

  it('records usage under the client and the model asked for', async () => {
    await gateway.createChatCompletion({ ...command, temperature: 1 }, context());
    const rows = await gateway.usage({ from: '2023-11-14', to: '2023-11-14' });
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ client: 'client-1', provider: 'p', model: 'm', requests: 1, promptTokens: 1, completionTokens: 1 });
  });

  it('refuses a model outside the key’s allowed models before any call', async () => {
    const principal = { kind: 'client' as const, keyId: 'k', name: 'k', limits: { allowedModels: ['p/other'] } };
    await gateway.createChatCompletion(command, context({ principal })).then(
      () => expect.fail('should have thrown'),
      (error: { code: string }) => expect(error.code).to.equal('model_not_allowed'),
    );
    expect(provider.calls).to.have.length(0);
  });

  it('streams the same answer as chunks, and replays a cached answer as a stream', async () => {
    const collect = async () => {
      let text = '';
      for await (const chunk of gateway.streamChatCompletion(command, context())) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    };
    expect(await collect()).to.equal('from p');
    expect(await collect()).to.equal('from p');
    expect(provider.calls).to.have.length(1);
  });
});
