/** A generic OpenAI-compatible server (vLLM, Ollama, LM Studio, OpenAI, Groq, a company proxy). */
import type { ProviderSettings } from '../provider-settings.js';
import type { HttpAgents } from '../http/http-agents.js';
import type { LlmProvider } from '../types.js';
import { createOpenAICompatibleProvider, settingsFromConfig } from './openai-compatible-provider.js';

export function createGenericOpenAICompatibleProvider(config: ProviderSettings, agents: HttpAgents): LlmProvider {
  // Without `apiKeyEnv` the server needs no key (a local Ollama or vLLM).
  return createOpenAICompatibleProvider({ ...settingsFromConfig(config, agents, ''), requiresApiKey: config.apiKeyVariable !== undefined });
}
