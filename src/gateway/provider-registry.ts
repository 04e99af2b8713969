/**
 * The providers this gateway was configured with, by id, each with its configuration (models,
 * retry and breaker policy) and one provider instance per API key: a key is part of a deployment.
 * Built once at start-up; the request path never constructs a provider.
 */
import type { GatewayConfig, ProviderConfig } from '../config/types.js';
import { createProvider } from '../providers/create-provider.js';
import { createHttpAgents, type HttpAgents } from '../providers/http/http-agents.js';
import type { LlmProvider } from '../providers/types.js';

/** One key of a provider, as the instance that sends it. */
export interface KeyedProvider {
  /** Safe to log and list: never the key itself. */
  readonly label: string;
  readonly weight: number;
  readonly provider: LlmProvider;
}

export interface RegisteredProvider {
  /** The first key's instance: model lists and health checks need one, any will do. */
  readonly provider: LlmProvider;
  readonly config: ProviderConfig;
  /** At least one; a server that needs no key has one keyless entry. */
  readonly keys: readonly KeyedProvider[];
}

export interface ProviderRegistry {
  get(id: string): RegisteredProvider | undefined;
  list(): readonly RegisteredProvider[];
  /** Releases every provider's sockets. */
  close(): void;
}

export const KEYLESS_LABEL = 'no-key';

export function createProviderRegistry(entries: readonly RegisteredProvider[], onClose: () => void = () => undefined): ProviderRegistry {
  const byId = new Map(entries.map((entry) => [entry.provider.id, entry]));
  return { get: (id) => byId.get(id), list: () => entries, close: onClose };
}

/** A registered provider with one instance per configured key, all sharing the provider's sockets. */
export function registerProvider(config: ProviderConfig, build: (config: ProviderConfig) => LlmProvider): RegisteredProvider {
  const keys: KeyedProvider[] =
    config.keys.length === 0
      ? [{ label: KEYLESS_LABEL, weight: 1, provider: build(config) }]
      : config.keys.map((key) => ({ label: key.label, weight: key.weight, provider: build({ ...config, apiKey: key.key, apiKeyVariable: key.variable }) }));
  return { provider: keys[0]!.provider, config, keys };
}

export function createConfiguredProviders(config: Pick<GatewayConfig, 'providers' | 'upstreamMaxSockets'>): ProviderRegistry {
  const agents: HttpAgents[] = [];
  const entries = config.providers.map((providerConfig) => {
    const providerAgents = createHttpAgents(config.upstreamMaxSockets, providerConfig.timeouts.connectMs);
    agents.push(providerAgents);
    return registerProvider(providerConfig, (keyed) => createProvider(keyed, providerAgents));
  });
  return createProviderRegistry(entries, () => agents.forEach((agent) => agent.destroy()));
}
