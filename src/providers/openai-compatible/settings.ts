/** The settings of a provider over an OpenAI-compatible server, and how a provider's settings map onto them. */
import type { HttpAgents } from '../http/http-agents.js';
import type { ProviderSettings, UpstreamTimeouts } from '../provider-settings.js';

export interface OpenAICompatibleSettings {
  id: string;
  kind: string;
  /** Ends before `/chat/completions`, e.g. `https://openrouter.ai/api/v1`. */
  baseUrl: string;
  apiKey: string | undefined;
  /** The environment variable that holds the key; named in the error when it is missing. */
  apiKeyVariable: string;
  /** Local servers (Ollama, vLLM) often need no key. */
  requiresApiKey?: boolean;
  headers?: Readonly<Record<string, string>>;
  /** False for servers without an embeddings endpoint (DeepSeek): routing skips them for embeddings. */
  embeddings?: boolean;
  /** False for servers without legacy `/completions` at their base URL (DeepSeek serves it under /beta). */
  textCompletions?: boolean;
  /** The server also serves OpenAI's Responses API at `{baseUrl}/responses` (OpenAI itself). */
  nativeResponses?: boolean;
  /** Where the server serves Anthropic's Messages API (`{anthropicBaseUrl}/v1/messages`), if it does. */
  anthropicBaseUrl?: string;
  /** Body fields this provider always sends unless the request sets them. */
  bodyDefaults?: Readonly<Record<string, unknown>>;
  timeouts: UpstreamTimeouts;
  agents: HttpAgents;
  /** Caps what is buffered from a non-streaming body or an error body. */
  maxResponseBytes?: number;
  now?: () => number;
}

/** The settings every kind shares, read from the provider's settings. */
export function settingsFromConfig(config: ProviderSettings, agents: HttpAgents, defaultKeyVariable: string): OpenAICompatibleSettings {
  return {
    id: config.id,
    kind: config.kind,
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    apiKeyVariable: config.apiKeyVariable ?? defaultKeyVariable,
    headers: config.headers,
    timeouts: config.timeouts,
    agents,
    ...(config.nativeResponses === undefined ? {} : { nativeResponses: config.nativeResponses }),
    ...(config.anthropicBaseUrl === undefined ? {} : { anthropicBaseUrl: config.anthropicBaseUrl }),
  };
}
