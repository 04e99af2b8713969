/** A generic OpenAI-compatible server (vLLM, Ollama, LM Studio, OpenAI, Groq, a company proxy). */
import type { ProviderConfig } from '../../config.js';
import type { HttpAgents } from '../http/http-agents.js';
import type { LlmProvider } from '../types.js';
import { createOpenAICompatibleProvider } from './openai-compatible-provider.js';

export function createGenericOpenAICompatibleProvider(config: ProviderConfig, agents: HttpAgents): LlmProvider {
  return createOpenAICompatibleProvider({
    id: config.id,
    kind: 'openai-compatible',
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    apiKeyVariable: config.apiKeyVariable ?? '',
    requiresApiKey: config.apiKeyVariable !== undefined,
    headers: config.headers,
    timeouts: config.timeouts,
    agents,
  });
}
