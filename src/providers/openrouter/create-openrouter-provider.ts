/**
 * OpenRouter: the OpenAI-compatible provider plus OpenRouter's attribution headers and usage
 * accounting (cost per request). Its routing fields (`models`, `provider`) pass through untouched.
 */
import type { OpenRouterConfig, UpstreamTimeouts } from '../../config.js';
import type { HttpAgents } from '../http/http-agents.js';
import { createOpenAICompatibleProvider } from '../openai-compatible/openai-compatible-provider.js';
import type { LlmProvider } from '../types.js';

export interface OpenRouterProviderSettings {
  id?: string;
  config: OpenRouterConfig;
  timeouts: UpstreamTimeouts;
  agents: HttpAgents;
}

export function createOpenRouterProvider(settings: OpenRouterProviderSettings): LlmProvider {
  const headers: Record<string, string> = {};
  if (settings.config.httpReferer !== undefined) headers['HTTP-Referer'] = settings.config.httpReferer;
  if (settings.config.appTitle !== undefined) headers['X-Title'] = settings.config.appTitle;
  return createOpenAICompatibleProvider({
    id: settings.id ?? 'openrouter',
    kind: 'openrouter',
    baseUrl: settings.config.baseUrl,
    apiKey: settings.config.apiKey,
    apiKeyVariable: 'OPENROUTER_API_KEY',
    headers,
    bodyDefaults: { usage: { include: true } },
    timeouts: settings.timeouts,
    agents: settings.agents,
  });
}
