/**
 * The gateway's own chat shapes: what REST and GraphQL adapters receive from the gateway service.
 * Field names follow GraphQL's camelCase; the REST adapter renders them in OpenAI's wire names.
 */
import type { CacheStatus } from './cache-directives.js';
import type { ChatRequest, FinishReason, PassThrough, TokenUsage, ToolCall } from './chat-request.js';

/** A request as the client phrased it: `model` is not resolved yet, and may be left to the default. */
export type ChatCompletionCommand = Omit<ChatRequest, 'model'> & { model?: string };

export interface AssistantMessage {
  role: 'assistant';
  content: string | null;
  reasoning: string | null;
  toolCalls: ToolCall[];
  /** Message fields the provider sent that the gateway does not own (`refusal`, `annotations`, `audio`). */
  extra?: PassThrough;
}

export interface ChatChoiceResult {
  index: number;
  message: AssistantMessage;
  finishReason: FinishReason;
  /** Choice fields the provider sent that the gateway does not own (`logprobs`, `native_finish_reason`). */
  extra?: PassThrough;
}

/** What served an answer, whatever its surface: said in the `X-Gateway-*` headers. */
export interface ServedFacts {
  /** The model as the provider names it. */
  model: string;
  /** The id of the provider that served it. */
  provider: string;
  /** `provider/model#key-label`: the deployment that served it. Carried in a header only, never in a body. */
  deployment?: string;
  /** Upstream calls it took, retries and fallbacks included; 0 when served from the cache. */
  attempts: number;
  cacheStatus: CacheStatus;
}

export interface ChatCompletionResult extends ServedFacts {
  id: string;
  created: number;
  choices: ChatChoiceResult[];
  usage: TokenUsage | null;
  /** Top-level fields the provider sent that the gateway does not own (`system_fingerprint`, `service_tier`, OpenRouter's `provider`). */
  extra?: PassThrough;
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
  /** Delta fields the gateway does not own (`refusal`). */
  extra?: PassThrough;
}

export interface ChatChunkChoiceResult {
  index: number;
  delta: ChatDeltaResult;
  finishReason: FinishReason | null;
  /** Choice fields the gateway does not own (`logprobs`). */
  extra?: PassThrough;
}

/** `attempts` counts the upstream calls it took to start the stream. */
export interface ChatChunk extends ServedFacts {
  id: string;
  created: number;
  choices: ChatChunkChoiceResult[];
  usage: TokenUsage | null;
  /** Top-level chunk fields the provider sent that the gateway does not own. */
  extra?: PassThrough;
  /** The provider's chunk as it came, when it says all this chunk does but the gateway's facts. */
  verbatim?: VerbatimChunk;
}

/**
 * A provider chunk an OpenAI stream may send on as it came, with the gateway's facts added: the
 * JSON text, and the delta it was read into. Whatever rewrites the chunk's delta (an output filter)
 * makes a new delta, and with it the verbatim text no longer applies.
 */
export interface VerbatimChunk {
  json: string;
  delta: ChatDeltaResult;
}
