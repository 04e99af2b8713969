/**
 * What a chat request and its usage are, in the gateway's own terms: every layer speaks these, so
 * they live at the bottom and import nothing of the app.
 */

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error' | 'other';

/** Fields the gateway does not interpret, kept as the client or the provider sent them. */
export type PassThrough = Readonly<Record<string, unknown>>;

/**
 * Text and images the gateway reads (limits, token estimates, filters); any other part (audio,
 * file, a provider's own) travels as sent. `extra` holds a part's other fields (`cache_control`).
 */
export type ContentPart =
  | { type: 'text'; text: string; extra?: PassThrough }
  | { type: 'image_url'; imageUrl: { url: string; detail?: 'auto' | 'low' | 'high' }; extra?: PassThrough }
  | { type: 'other'; part: PassThrough };

export interface ToolCall {
  id: string;
  name: string;
  /** JSON-encoded, exactly as the model produced it. */
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string | ContentPart[] | null;
  name?: string;
  toolCallId?: string;
  toolCalls?: ToolCall[];
  /** The message's other fields (`refusal`, `audio`, `function_call`, ...), sent on as they came. */
  extra?: PassThrough;
}

/** A function tool the gateway can name; any other tool (`custom`, a provider's own) travels in `raw`. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean | null;
  /** The tool as the client sent it, when it is not a plain function tool. */
  raw?: PassThrough;
}

export interface ChatRequest {
  /** The provider's own model id, already resolved by the gateway. */
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  presencePenalty?: number;
  frequencyPenalty?: number;
  seed?: number;
  user?: string;
  tools?: ToolDefinition[];
  /**
   * Options the gateway does not interpret, sent as top-level body fields in the provider's own
   * naming (`tool_choice`, OpenRouter's `models` and `provider`, ...). Keys were checked against an
   * allow-list at the edge, so nothing here can steer the gateway itself.
   */
  providerOptions?: Readonly<Record<string, unknown>>;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cachedTokens?: number | null;
  reasoningTokens?: number | null;
  /** USD, as reported by the provider. */
  cost?: number | null;
  /** The provider's usage object as sent (`prompt_tokens_details`, `completion_tokens_details`, ...). */
  wire?: PassThrough;
}
