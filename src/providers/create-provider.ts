/** One factory per provider kind: a new kind is one folder plus one line here. */
import { createDeepSeekProvider } from './deepseek/create-deepseek-provider.js';
import type { HttpAgents } from './http/http-agents.js';
import { createGenericOpenAICompatibleProvider } from './openai-compatible/create-openai-compatible-provider.js';
import { createOpenRouterProvider } from './openrouter/create-openrouter-provider.js';
import type { ProviderKind, ProviderSettings } from './provider-settings.js';
import type { LlmProvider } from './types.js';

const FACTORIES: Record<ProviderKind, (settings: ProviderSettings, agents: HttpAgents) => LlmProvider> = {
  openrouter: createOpenRouterProvider,
  deepseek: createDeepSeekProvider,
  'openai-compatible': createGenericOpenAICompatibleProvider,
};

export function createProvider(settings: ProviderSettings, agents: HttpAgents): LlmProvider {
  return FACTORIES[settings.kind](settings, agents);
}
