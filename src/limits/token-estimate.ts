/**
 * A cheap upper-ish estimate of the tokens a request will use, reserved from the client's
 * tokens-per-minute budget before the call and corrected with the real usage afterwards.
 */
import type { ChatCompletionCommand } from '../vocabulary/chat-results.js';

const CHARS_PER_TOKEN = 4;
/** Assumed completion length when the request sets no max_tokens. */
const DEFAULT_COMPLETION_ESTIMATE = 256;

/** The completion the request allows: `max_tokens`, or the newer `max_completion_tokens` that replaces it. */
export function completionLimitOf(command: ChatCompletionCommand): { value: number; param: 'max_tokens' | 'max_completion_tokens' } | undefined {
  if (command.maxTokens !== undefined) return { value: command.maxTokens, param: 'max_tokens' };
  const newer = command.providerOptions?.max_completion_tokens;
  return typeof newer === 'number' ? { value: newer, param: 'max_completion_tokens' } : undefined;
}

export function estimateTokens(command: ChatCompletionCommand): number {
  return estimatePromptTokens(command) + (completionLimitOf(command)?.value ?? DEFAULT_COMPLETION_ESTIMATE);
}

/** The prompt's tokens, estimated from its characters: what a stream cut before usage arrived is charged for its prompt. */
export function estimatePromptTokens(command: ChatCompletionCommand): number {
  let characters = 0;
  for (const message of command.messages) {
    if (typeof message.content === 'string') characters += message.content.length;
    else if (Array.isArray(message.content)) {
      for (const part of message.content) characters += part.type === 'text' ? part.text.length : 0;
    }
    for (const call of message.toolCalls ?? []) characters += call.arguments.length + call.name.length;
  }
  return Math.ceil(characters / CHARS_PER_TOKEN) + 4 * command.messages.length;
}

/** Tokens in text the gateway streamed, estimated the same way. */
export function estimateTextTokens(characters: number): number {
  return Math.ceil(characters / CHARS_PER_TOKEN);
}
