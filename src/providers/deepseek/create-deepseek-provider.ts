/**
 * DeepSeek's own API. It is OpenAI-compatible; its differences are handled in the shared parsing:
 * `reasoning_content` becomes reasoning parts, `prompt_cache_hit_tokens` becomes cached tokens,
 * blank lines before a slow JSON body and `: keep-alive` comments in streams are skipped.
 */
import type { ProviderSettings } from '../provider-settings.js';
import type { HttpAgents } from '../http/http-agents.js';
import { createOpenAICompatibleProvider, settingsFromConfig } from '../openai-compatible/openai-compatible-provider.js';
import type { LlmProvider } from '../types.js';

export function createDeepSeekProvider(config: ProviderSettings, agents: HttpAgents): LlmProvider {
  // DeepSeek serves no embeddings endpoint.
  return createOpenAICompatibleProvider({ ...settingsFromConfig(config, agents, 'DEEPSEEK_API_KEY'), embeddings: false, textCompletions: false });
}
