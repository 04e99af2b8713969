/**
 * The subset of OpenAI's chat wire format the gateway reads from upstreams. Everything is optional
 * because OpenAI-compatible servers differ; parsing code checks before it trusts a field.
 */

export interface WireUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  cost?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  /** DeepSeek's context-cache accounting. */
  prompt_cache_hit_tokens?: number;
  prompt_cache_miss_tokens?: number;
}

export interface WireToolCall {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

export interface WireError {
  code?: number | string | null;
  message?: string;
  type?: string;
  metadata?: Record<string, unknown>;
}

export interface WireMessage {
  role?: string;
  content?: string | null;
  /** OpenRouter's name for reasoning text. */
  reasoning?: string | null;
  /** DeepSeek's (and vLLM's) name for reasoning text. */
  reasoning_content?: string | null;
  tool_calls?: WireToolCall[] | null;
}

export interface WireChoice {
  index?: number;
  message?: WireMessage;
  delta?: WireMessage;
  finish_reason?: string | null;
  /** OpenRouter's provider-native reason, kept for debugging. */
  native_finish_reason?: string | null;
  error?: WireError;
}

export interface WireCompletion {
  id?: string;
  object?: string;
  created?: number;
  model?: string;
  choices?: WireChoice[];
  usage?: WireUsage | null;
  error?: WireError;
  /** vLLM puts errors at the top level: { object: "error", message, code }. */
  message?: string;
  code?: number | string;
}

export interface WireModel {
  id?: string;
  owned_by?: string;
  created?: number;
  context_length?: number;
}
