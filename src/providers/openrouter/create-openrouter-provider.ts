/**
 * OpenRouter: the OpenAI-compatible provider plus usage accounting (cost per request). Its
 * attribution headers come from config; its routing fields (`models`, `provider`) pass through.
 */
import type { ProviderSettings } from '../provider-settings.js';
import type { HttpAgents } from '../http/http-agents.js';
import { createOpenAICompatibleProvider, settingsFromConfig } from '../openai-compatible/openai-compatible-provider.js';
import type { LlmProvider } from '../types.js';

export function createOpenRouterProvider(config: ProviderSettings, agents: HttpAgents): LlmProvider {
  return createOpenAICompatibleProvider({
    ...settingsFromConfig(config, agents, 'OPENROUTER_API_KEY'),
    bodyDefaults: { usage: { include: true } },
  });
}
