/**
 * A cheap upper-ish estimate of the tokens a request will use, reserved from the client's
 * tokens-per-minute budget before the call and corrected with the real usage afterwards.
 */
import type { ChatCompletionCommand } from '../vocabulary/chat-results.js';

const CHARS_PER_TOKEN = 4;
/** Assumed completion length when the request sets no max_tokens. */
const DEFAULT_COMPLETION_ESTIMATE = 256;

export function estimateTokens(command: ChatCompletionCommand): number {
  let characters = 0;
  for (const message of command.messages) {
    if (typeof message.content === 'string') characters += message.content.length;
    else if (Array.isArray(message.content)) {
      for (const part of message.content) characters += part.type === 'text' ? part.text.length : 0;
    }
    for (const call of message.toolCalls ?? []) characters += call.arguments.length + call.name.length;
  }
  const prompt = Math.ceil(characters / CHARS_PER_TOKEN) + 4 * command.messages.length;
  return prompt + (command.maxTokens ?? DEFAULT_COMPLETION_ESTIMATE);
}
