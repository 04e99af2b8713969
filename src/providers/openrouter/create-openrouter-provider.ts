/**
 * OpenRouter: the OpenAI-compatible provider plus usage accounting (cost per request). Its
 * attribution headers come from config; its routing fields (`models`, `provider`) pass through.
 */
import type { ProviderConfig } from '../../config.js';
import type { HttpAgents } from '../http/http-agents.js';
import { createOpenAICompatibleProvider } from '../openai-compatible/openai-compatible-provider.js';
import type { LlmProvider } from '../types.js';

export function createOpenRouterProvider(config: ProviderConfig, agents: HttpAgents): LlmProvider {
  return createOpenAICompatibleProvider({
    id: config.id,
    kind: 'openrouter',
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    apiKeyVariable: config.apiKeyVariable ?? 'OPENROUTER_API_KEY',
    headers: config.headers,
    bodyDefaults: { usage: { include: true } },
    timeouts: config.timeouts,
    agents,
  });
}
