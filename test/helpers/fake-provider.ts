/**
 * An in-process provider for unit tests of the gateway's internals: each call takes the next
 * scripted outcome (a response, a stream of parts, or an error), and every call is recorded.
 */
import { GatewayError, type ErrorCode } from '../../src/errors.js';
import type { ProviderConfig } from '../../src/config/types.js';
import { createProviderRegistry, type ProviderRegistry, type RegisteredProvider } from '../../src/gateway/provider-registry.js';
import { PROVIDER_INTERFACE_VERSION, type CallOptions, type ChatRequest, type ChatResponse, type LlmProvider, type StreamPart } from '../../src/providers/types.js';

export type Outcome = { text: string } | { parts: StreamPart[] } | { error: ErrorCode; retryAfterSeconds?: number };

export interface FakeProvider extends LlmProvider {
  calls: ChatRequest[];
  script(...outcomes: Outcome[]): void;
}

export function fakeProvider(id: string): FakeProvider {
  const queue: Outcome[] = [];
  const calls: ChatRequest[] = [];
  const next = (request: ChatRequest, options: CallOptions): Outcome => {
    if (options.signal.aborted) throw new GatewayError('upstream_timeout', 'aborted');
    calls.push(request);
    return queue.shift() ?? { text: `from ${id}` };
  };
  const fail = (outcome: { error: ErrorCode; retryAfterSeconds?: number }): never => {
    throw new GatewayError(outcome.error, `${id} failed with ${outcome.error}`, {
      provider: id,
      ...(outcome.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: outcome.retryAfterSeconds }),
    });
  };
  return {
    interfaceVersion: PROVIDER_INTERFACE_VERSION,
    id,
    kind: 'openai-compatible',
    configuration: { configured: true },
    calls,
    script: (...outcomes) => queue.push(...outcomes),
    async complete(request, options): Promise<ChatResponse> {
      const outcome = next(request, options);
      if ('error' in outcome) return fail(outcome);
      const text = 'text' in outcome ? outcome.text : '';
      return { id: `${id}-1`, created: 1, model: request.model, content: text, reasoning: null, toolCalls: [], finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } };
    },
    async *stream(request, options) {
      const outcome = next(request, options);
      if ('error' in outcome) fail(outcome);
      if ('parts' in outcome) yield* outcome.parts;
      if ('text' in outcome) {
        yield { type: 'text-delta', delta: outcome.text };
        yield { type: 'finish', finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } };
      }
    },
    listModels: async () => [],
    checkHealth: async () => ({ ok: true, latencyMs: 0 }),
  };
}

export function providerConfig(id: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    id,
    kind: 'openai-compatible',
    baseUrl: 'http://127.0.0.1:9',
    apiKey: 'test-key',
    apiKeyVariable: 'TEST_KEY',
    keys: [{ label: 'TEST_KEY', key: 'test-key', variable: 'TEST_KEY', weight: 1 }],
    headers: {},
    models: undefined,
    enabled: true,
    pricing: undefined,
    imageUrls: undefined,
    timeouts: { connectMs: 1000, firstByteMs: 1000, idleMs: 1000, totalMs: 1000 },
    retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 1000 },
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, consecutiveFailures: 5, resetTimeoutMs: 1000, maxResetTimeoutMs: 8000, rollingWindowMs: 1000 },
    ...overrides,
  };
}

export function fakeRegistry(...entries: { provider: FakeProvider; config?: Partial<ProviderConfig> }[]): ProviderRegistry {
  return createProviderRegistry(
    entries.map<RegisteredProvider>(({ provider, config }) => ({ provider, config: providerConfig(provider.id, config), keys: [{ label: 'TEST_KEY', weight: 1, provider }] })),
  );
}
