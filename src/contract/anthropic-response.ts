/**
 * Gateway chat results and errors -> Anthropic's Messages shapes: the message with its content
 * blocks (thinking, text, tool_use), the stop reason, usage, and errors as Anthropic sends them.
 */
import type { GatewayError } from '../errors.js';
import type { FinishReason, TokenUsage } from '../vocabulary/chat-request.js';
import type { ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { components } from '../generated/openapi.js';

type Schemas = components['schemas'];
export type AnthropicMessageBody = Schemas['AnthropicMessage'];
export type AnthropicErrorBody = Schemas['AnthropicErrorResponse'];
type StopReason = AnthropicMessageBody['stop_reason'];

export function toAnthropicStopReason(reason: FinishReason | null): StopReason {
  switch (reason) {
    case null:
      return null;
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

export function toAnthropicUsage(usage: TokenUsage | null): AnthropicMessageBody['usage'] {
  const body: AnthropicMessageBody['usage'] = { input_tokens: usage?.promptTokens ?? 0, output_tokens: usage?.completionTokens ?? 0 };
  if (usage?.cachedTokens !== undefined && usage.cachedTokens !== null) body.cache_read_input_tokens = usage.cachedTokens;
  return body;
}

/** Tool-call arguments as the object Anthropic's `input` is; arguments that are not JSON stay as text. */
export function toolInput(argumentsJson: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(argumentsJson === '' ? '{}' : argumentsJson) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { raw: argumentsJson };
  }
}

export function anthropicMessageId(id: string): string {
  return id.startsWith('msg_') ? id : `msg_${id}`;
}

export function toAnthropicMessage(result: ChatCompletionResult): AnthropicMessageBody {
  const choice = result.choices[0];
  const content: AnthropicMessageBody['content'] = [];
  if (choice?.message.reasoning) content.push({ type: 'thinking', thinking: choice.message.reasoning, signature: '' });
  if (choice?.message.content) content.push({ type: 'text', text: choice.message.content });
  for (const call of choice?.message.toolCalls ?? []) content.push({ type: 'tool_use', id: call.id, name: call.name, input: toolInput(call.arguments) });
  return {
    id: anthropicMessageId(result.id),
    type: 'message',
    role: 'assistant',
    model: result.model,
    content,
    stop_reason: toAnthropicStopReason(choice?.finishReason ?? 'stop'),
    stop_sequence: null,
    usage: toAnthropicUsage(result.usage),
  };
}

/** Anthropic's error types by HTTP status. */
export function anthropicErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'billing_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 503) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

export function toAnthropicError(error: GatewayError): AnthropicErrorBody {
  return { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message, code: error.code } };
}
