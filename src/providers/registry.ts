/**
 * The providers this gateway was configured with, by id. Built once at start-up; the gateway looks
 * providers up here and never constructs one itself.
 */
import type { GatewayConfig } from '../config.js';
import type { HttpAgents } from './http/http-agents.js';
import { createOpenRouterProvider } from './openrouter/create-openrouter-provider.js';
import type { LlmProvider } from './types.js';

export interface ProviderRegistry {
  readonly defaultProviderId: string;
  get(id: string): LlmProvider | undefined;
  list(): readonly LlmProvider[];
}

export function createProviderRegistry(providers: readonly LlmProvider[], defaultProviderId: string): ProviderRegistry {
  const byId = new Map(providers.map((provider) => [provider.id, provider]));
  if (!byId.has(defaultProviderId)) throw new Error(`Default provider ${defaultProviderId} is not registered.`);
  return {
    defaultProviderId,
    get: (id) => byId.get(id),
    list: () => providers,
  };
}

export function createConfiguredProviders(config: GatewayConfig, agents: HttpAgents): ProviderRegistry {
  const openrouter = createOpenRouterProvider({ config: config.openrouter, timeouts: config.upstreamTimeouts, agents });
  return createProviderRegistry([openrouter], openrouter.id);
}
