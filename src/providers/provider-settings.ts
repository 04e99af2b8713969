/**
 * What a provider needs to be built: where its server is, the key and headers to send, and how long
 * to wait. Providers own this shape; the app's configuration is mapped onto it at assembly.
 */
import type { ProviderKind, UpstreamTimeouts } from '../vocabulary/provider-settings.js';

export type { ProviderKind, UpstreamTimeouts };

export interface ProviderSettings {
  readonly id: string;
  readonly kind: ProviderKind;
  /** Ends before `/chat/completions`, e.g. `https://openrouter.ai/api/v1`. */
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  /** The variable holding the key; undefined for servers that need none (Ollama, vLLM). */
  readonly apiKeyVariable: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeouts: UpstreamTimeouts;
  /** The server also serves OpenAI's Responses API at `{baseUrl}/responses`. */
  readonly nativeResponses?: boolean;
  /** Where the server serves Anthropic's Messages API (`{anthropicBaseUrl}/v1/messages`). */
  readonly anthropicBaseUrl?: string;
}
