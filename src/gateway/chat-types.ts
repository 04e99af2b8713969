/**
 * The gateway's own chat shapes: what REST and GraphQL adapters receive from the gateway service.
 * Field names follow GraphQL's camelCase; the REST adapter renders them in OpenAI's wire names.
 */
import type { CacheDirectives, CacheStatus } from '../cache/response-cache.js';
import type { Principal } from '../auth/api-key-types.js';
import type { RateLimitState } from '../limits/client-rate-limiter.js';
import type { ChatRequest, FinishReason, TokenUsage, ToolCall } from '../providers/types.js';

/** A request as the client phrased it: `model` is not resolved yet, and may be left to the default. */
export type ChatCompletionCommand = Omit<ChatRequest, 'model'> & { model?: string };

export interface AssistantMessage {
  role: 'assistant';
  content: string | null;
  reasoning: string | null;
  toolCalls: ToolCall[];
}

export interface ChatChoiceResult {
  index: number;
  message: AssistantMessage;
  finishReason: FinishReason;
}

export interface ChatCompletionResult {
  id: string;
  created: number;
  /** The model as the provider names it. */
  model: string;
  /** The id of the provider that served it. */
  provider: string;
  /** Upstream calls it took, retries and fallbacks included; 0 when served from the cache. */
  attempts: number;
  cacheStatus: CacheStatus;
  choices: ChatChoiceResult[];
  usage: TokenUsage | null;
}

export interface ToolCallDeltaResult {
  index: number;
  id?: string;
  name?: string;
  argumentsDelta?: string;
}

export interface ChatDeltaResult {
  role?: 'assistant';
  content?: string;
  reasoning?: string;
  toolCalls?: ToolCallDeltaResult[];
}

export interface ChatChunkChoiceResult {
  index: number;
  delta: ChatDeltaResult;
  finishReason: FinishReason | null;
}

export interface ChatChunk {
  id: string;
  created: number;
  model: string;
  provider: string;
  /** Upstream calls it took to start the stream, retries and fallbacks included. */
  attempts: number;
  cacheStatus: CacheStatus;
  choices: ChatChunkChoiceResult[];
  usage: TokenUsage | null;
}

/** What the gateway learned while serving a request that only transport headers carry. */
export interface ResponseReport {
  rateLimit?: RateLimitState;
  /** Served by joining an identical request already in flight. */
  coalesced?: boolean;
  /** What served the request, for the request log line. */
  served?: { provider: string; model: string; attempts: number; cacheStatus: CacheStatus };
  usage?: TokenUsage | null;
  /** Prompt and completion text, only when LOG_CONTENT is on. */
  content?: { messages: ChatRequest['messages']; completion: string | null };
}

/** Per-request facts every gateway call needs. */
export interface RequestContext {
  requestId: string;
  /** Who is asking: the rate-limit and usage key (the API key id; the client IP when authentication is off). */
  clientId: string;
  cache?: CacheDirectives;
  /** Filled in by the gateway for the adapter to render. */
  report?: ResponseReport;
  /** The authenticated caller; its key's limits apply. */
  principal?: Principal;
  /** Aborted when the client goes away; the upstream call is aborted with it. */
  signal: AbortSignal;
  /** OpenAI's `stream_options.include_usage`: usage in a chunk of its own, as OpenAI sends it. */
  includeUsageChunk?: boolean;
}
