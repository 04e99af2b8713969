/**
 * Legacy text completions (`POST /v1/completions`) in the gateway's own terms. The gateway routes,
 * limits, retries and accounts them but does not translate them: the body travels as the client
 * sent it (with the provider's model id) and the provider's answer comes back as it sent it.
 */
import type { PassThrough, TokenUsage } from './chat-request.js';

export interface TextCompletionCommand {
  /** Not resolved yet; may be left to the default. */
  model?: string;
  /** The client's body without `model` and `stream`, passed through. */
  body: PassThrough;
  /** The prompt, for token estimates and LOG_CONTENT. */
  prompt: unknown;
  maxTokens?: number;
  /** Whether the client asked for the usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
}

/** The provider's whole answer, as sent, with its usage read for accounting. */
export interface TextCompletionResponse {
  body: Record<string, unknown>;
  model: string;
  usage: TokenUsage | null;
}

/** One chunk of the provider's stream, as sent, with any usage it carried. */
export interface TextCompletionChunk {
  /** Empty for a chunk kept for accounting only (usage the client did not ask for). */
  body: Record<string, unknown>;
  usage: TokenUsage | null;
}

/** What served a text completion. */
export interface ServedBy {
  provider: string;
  deployment: string;
  attempts: number;
}
