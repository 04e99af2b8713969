/**
 * Requests the gateway passes through without translating, in the gateway's own terms: legacy text
 * completions, and Anthropic Messages or Responses requests for providers that speak those
 * protocols themselves. The gateway routes, limits, retries and accounts them; the body travels as
 * the client sent it (with the provider's model id) and the answer comes back as the provider sent it.
 */
import type { PassThrough, TokenUsage } from './chat-request.js';

export type PassThroughProtocol = 'completions' | 'anthropic-messages' | 'responses';

export interface PassThroughCommand {
  protocol: PassThroughProtocol;
  /** Not resolved yet; may be left to the default. */
  model?: string;
  /** The client's body without `model` and `stream`, passed through. */
  body: PassThrough;
  /** What is asked, for token estimates and LOG_CONTENT. */
  prompt: unknown;
  maxTokens?: number;
  /** Whether the client asked for the usage chunk (`stream_options.include_usage`, completions only). */
  includeUsage: boolean;
}

/** The provider's whole answer, as sent, with its usage read for accounting. */
export interface PassThroughResponse {
  body: Record<string, unknown>;
  model: string;
  usage: TokenUsage | null;
}

/** One event of the provider's stream, as sent, with the usage known so far. */
export interface PassThroughChunk {
  /** The SSE event name, for protocols that name their events. */
  event?: string;
  /** Empty for a chunk kept for accounting only (usage the client did not ask for). */
  body: Record<string, unknown>;
  usage: TokenUsage | null;
}

/** What served a passed-through request. */
export interface ServedBy {
  provider: string;
  deployment: string;
  attempts: number;
}
