/** A validated OpenAI request body -> the gateway's command, plus the REST-only stream flags. */
import type { ChatCompletionCommand } from '../vocabulary/chat-results.js';
import { PASS_THROUGH_OPTION_KEYS } from './pass-through-options.js';
import type { ChatMessage, ContentPart } from '../vocabulary/chat-request.js';
import type { CreateChatCompletionRequest, WireChatMessage } from './openai-wire-types.js';

export interface RestChatRequest {
  command: ChatCompletionCommand;
  stream: boolean;
  includeUsageChunk: boolean;
}

const orUndefined = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);

function toContent(content: WireChatMessage['content']): ChatMessage['content'] {
  if (content === undefined || content === null || typeof content === 'string') return content ?? null;
  return content.map<ContentPart>((part) =>
    part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image_url', imageUrl: part.image_url },
  );
}

function toMessage(message: WireChatMessage): ChatMessage {
  // DeepSeek rejects `reasoning_content` in input messages, so it is accepted here and dropped.
  const result: ChatMessage = { role: message.role, content: toContent(message.content) };
  if (message.name !== undefined) result.name = message.name;
  if (message.tool_call_id !== undefined) result.toolCallId = message.tool_call_id;
  if (message.tool_calls !== undefined) {
    result.toolCalls = message.tool_calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
  }
  return result;
}

export function fromWireRequest(body: CreateChatCompletionRequest): RestChatRequest {
  const providerOptions: Record<string, unknown> = {};
  for (const key of PASS_THROUGH_OPTION_KEYS) {
    const value = body[key];
    if (value !== undefined && value !== null) providerOptions[key] = value;
  }
  const stop = orUndefined(body.stop);
  const command: ChatCompletionCommand = {
    model: body.model,
    messages: body.messages.map(toMessage),
    temperature: orUndefined(body.temperature),
    topP: orUndefined(body.top_p),
    maxTokens: orUndefined(body.max_tokens),
    stop: typeof stop === 'string' ? [stop] : stop,
    presencePenalty: orUndefined(body.presence_penalty),
    frequencyPenalty: orUndefined(body.frequency_penalty),
    seed: orUndefined(body.seed),
    user: body.user,
    tools: body.tools?.map((tool) => ({
      name: tool.function.name,
      description: tool.function.description,
      parameters: tool.function.parameters,
      strict: tool.function.strict,
    })),
    providerOptions,
  };
  return { command, stream: body.stream === true, includeUsageChunk: body.stream_options?.include_usage === true };
}
