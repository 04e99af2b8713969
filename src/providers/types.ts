/**
 * The provider interface, version 1. Every upstream family implements it; the gateway speaks only
 * these types, never a provider's wire format. Changing a shape here means bumping the version.
 */
import type { GatewayError } from '../errors.js';

export const PROVIDER_INTERFACE_VERSION = 1 as const;

export type { ChatMessage, ChatRequest, ChatRole, ContentPart, FinishReason, PassThrough, TokenUsage, ToolCall, ToolDefinition } from '../vocabulary/chat-request.js';
import type { ChatRequest, FinishReason, PassThrough, TokenUsage, ToolCall } from '../vocabulary/chat-request.js';
import type { EmbeddingsCommand, EmbeddingsResponse } from '../vocabulary/embeddings.js';
import type { PassThroughChunk, PassThroughCommand, PassThroughProtocol, PassThroughResponse } from '../vocabulary/pass-through.js';

export type { EmbeddingsResponse };

export interface ChatResponse {
  id: string;
  created: number;
  model: string;
  content: string | null;
  reasoning: string | null;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: TokenUsage | null;
  /** What the provider sent that the gateway does not own, by where it sat in the body. */
  extra?: { response?: PassThrough; choice?: PassThrough; message?: PassThrough };
}

/**
 * What a stream yields. Errors that happen after the upstream accepted the request (a mid-stream
 * error event, a truncated stream, an idle timeout) arrive as an `error` part, which is always the
 * last part; errors that stop the stream from opening at all are thrown by the first `next()`.
 * A stream that ends without a `finish` or `error` part is a provider bug.
 */
export type StreamPart =
  | { type: 'response-metadata'; id?: string; model?: string; created?: number; extra?: PassThrough }
  /**
   * `verbatim` is the provider's event as it came, when it was an OpenAI chat chunk carrying only
   * this text: the gateway may send it on as it is rather than build and serialise it again.
   */
  | { type: 'text-delta'; delta: string; extra?: DeltaExtras; verbatim?: string }
  | { type: 'reasoning-delta'; delta: string }
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argumentsDelta?: string }
  | { type: 'finish'; finishReason: FinishReason; usage: TokenUsage | null; extra?: DeltaExtras }
  /** Delta or choice fields the gateway does not own, in a chunk without text (a `refusal` delta). */
  | { type: 'pass-through-delta'; extra: DeltaExtras }
  | { type: 'error'; error: GatewayError };

/** Fields of one upstream chunk's choice the gateway does not own: in the delta (`refusal`) and beside it (`logprobs`). */
export interface DeltaExtras {
  delta?: PassThrough;
  choice?: PassThrough;
}

/** A passed-through request with its model resolved to the provider's own id. */
export type PassThroughRequest = Omit<PassThroughCommand, 'model'> & { model: string };

/** A passed-through stream: each event as the provider sent it, or the error that ended it. */
export type PassThroughStreamPart = ({ type: 'chunk' } & PassThroughChunk) | { type: 'error'; error: GatewayError };

/** A protocol a provider serves as it is, without translation. */
export interface PassThroughEndpoint {
  complete(request: PassThroughRequest, options: CallOptions): Promise<PassThroughResponse>;
  stream(request: PassThroughRequest, options: CallOptions): AsyncIterable<PassThroughStreamPart>;
}

/** An embeddings request with its model resolved to the provider's own id. */
export type EmbeddingsRequest = Omit<EmbeddingsCommand, 'model'> & { model: string };

export interface CallOptions {
  /** Aborting it aborts the upstream HTTP request. */
  signal: AbortSignal;
  requestId?: string;
  /** W3C trace context of the attempt, sent upstream as `traceparent`. */
  traceparent?: string;
}

export interface ProviderModel {
  /** The provider's own id for the model. */
  id: string;
  ownedBy?: string;
  created?: number;
  contextLength?: number | null;
}

export type ProviderConfiguration =
  | { configured: true }
  | { configured: false; missingVariable: string };

export interface ProviderHealthCheck {
  ok: boolean;
  latencyMs: number;
  errorCode?: string;
}

export interface LlmProvider {
  readonly interfaceVersion: typeof PROVIDER_INTERFACE_VERSION;
  readonly id: string;
  readonly kind: string;
  readonly configuration: ProviderConfiguration;
  complete(request: ChatRequest, options: CallOptions): Promise<ChatResponse>;
  /**
   * Any async iterable will do. A `Flow` (src/streams) is pulled until the gateway has the first
   * token and pushed after it, with no promise per token; anything else is pulled throughout.
   */
  stream(request: ChatRequest, options: CallOptions): AsyncIterable<StreamPart>;
  listModels(options: CallOptions): Promise<ProviderModel[]>;
  /** Present only on providers that serve embeddings (DeepSeek does not). */
  embed?(request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse>;
  /** The protocols this provider serves as they are: legacy completions, Anthropic Messages, Responses. */
  passThrough?: Readonly<Partial<Record<PassThroughProtocol, PassThroughEndpoint>>>;
  /** Must use a free endpoint: it must never spend tokens. */
  checkHealth(options: CallOptions): Promise<ProviderHealthCheck>;
  /** Releases sockets; called once at shutdown. */
  close?(): void;
}
