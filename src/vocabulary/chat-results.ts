/**
 * The gateway's own chat shapes: what REST and GraphQL adapters receive from the gateway service.
 * Field names follow GraphQL's camelCase; the REST adapter renders them in OpenAI's wire names.
 */
import type { CacheStatus } from './cache-directives.js';
import type { ChatRequest, FinishReason, TokenUsage, ToolCall } from './chat-request.js';

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
  /** `provider/model#key-label`: the deployment that served it. Carried in a header only, never in a body. */
  deployment?: string;
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
  deployment?: string;
  /** Upstream calls it took to start the stream, retries and fallbacks included. */
  attempts: number;
  cacheStatus: CacheStatus;
  choices: ChatChunkChoiceResult[];
  usage: TokenUsage | null;
}
