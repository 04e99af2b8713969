/**
 * The providers this gateway was configured with, by id, each with its configuration (models,
 * retry and breaker policy). Built once at start-up; the gateway never constructs a provider.
 */
import type { GatewayConfig, ProviderConfig, ProviderKind } from '../config.js';
import { createDeepSeekProvider } from './deepseek/create-deepseek-provider.js';
import { createHttpAgents, type HttpAgents } from './http/http-agents.js';
import { createGenericOpenAICompatibleProvider } from './openai-compatible/create-openai-compatible-provider.js';
import { createOpenRouterProvider } from './openrouter/create-openrouter-provider.js';
import type { LlmProvider } from './types.js';

/** One factory per provider kind: a new kind is one folder plus one line here. */
const FACTORIES: Record<ProviderKind, (config: ProviderConfig, agents: HttpAgents) => LlmProvider> = {
  openrouter: createOpenRouterProvider,
  deepseek: createDeepSeekProvider,
  'openai-compatible': createGenericOpenAICompatibleProvider,
};

export interface RegisteredProvider {
  readonly provider: LlmProvider;
  readonly config: ProviderConfig;
}

export interface ProviderRegistry {
  get(id: string): RegisteredProvider | undefined;
  list(): readonly RegisteredProvider[];
  /** Releases every provider's sockets. */
  close(): void;
}

export function createProviderRegistry(entries: readonly RegisteredProvider[], onClose: () => void = () => undefined): ProviderRegistry {
  const byId = new Map(entries.map((entry) => [entry.provider.id, entry]));
  return { get: (id) => byId.get(id), list: () => entries, close: onClose };
}

export function createConfiguredProviders(config: GatewayConfig): ProviderRegistry {
  const agents: HttpAgents[] = [];
  const entries = config.providers.map((providerConfig) => {
    const providerAgents = createHttpAgents(config.upstreamMaxSockets, providerConfig.timeouts.connectMs);
    agents.push(providerAgents);
    return { provider: FACTORIES[providerConfig.kind](providerConfig, providerAgents), config: providerConfig };
  });
  return createProviderRegistry(entries, () => agents.forEach((agent) => agent.destroy()));
}
