/**
 * The providers this gateway was configured with, by id, each with its configuration (models,
 * retry and breaker policy). Built once at start-up; the request path never constructs a provider.
 */
import type { GatewayConfig, ProviderConfig } from '../config/types.js';
import { createProvider } from '../providers/create-provider.js';
import { createHttpAgents, type HttpAgents } from '../providers/http/http-agents.js';
import type { LlmProvider } from '../providers/types.js';

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

export function createConfiguredProviders(config: Pick<GatewayConfig, 'providers' | 'upstreamMaxSockets'>): ProviderRegistry {
  const agents: HttpAgents[] = [];
  const entries = config.providers.map((providerConfig) => {
    const providerAgents = createHttpAgents(config.upstreamMaxSockets, providerConfig.timeouts.connectMs);
    agents.push(providerAgents);
    return { provider: createProvider(providerConfig, providerAgents), config: providerConfig };
  });
  return createProviderRegistry(entries, () => agents.forEach((agent) => agent.destroy()));
}
