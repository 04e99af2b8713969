/**
 * A validated OpenAI request body -> the gateway's command, plus the REST-only stream flags. The
 * gateway maps the fields it interprets; every other field (top-level, in a message, in a part)
 * is kept as sent and passed through, except the few that would steer the gateway itself.
 */
import type { ChatMessage, ContentPart, PassThrough, ToolDefinition } from '../vocabulary/chat-request.js';
import type { ChatCompletionCommand } from '../vocabulary/chat-results.js';
import type { CreateChatCompletionRequest, WireChatMessage } from './openai-wire-types.js';
import type { ParamNamer } from './request-validator.js';
import { refuseSteeringFields } from './steering-fields.js';

export interface RestChatRequest {
  command: ChatCompletionCommand;
  stream: boolean;
  includeUsageChunk: boolean;
}

/** Body fields the gateway maps into the command itself; everything else is a pass-through option. */
const INTERPRETED = new Set(['model', 'messages', 'stream', 'temperature', 'top_p', 'max_tokens', 'stop', 'presence_penalty', 'frequency_penalty', 'seed', 'user', 'tools', 'n']);
const OWN_MESSAGE_FIELDS = new Set(['role', 'content', 'name', 'tool_call_id', 'tool_calls']);
/**
 * Response-only fields an SDK leaves on an assistant message appended to the conversation: accepted
 * and dropped, since providers reject them (DeepSeek refuses `reasoning_content` outright).
 */
const RESPONSE_ONLY_MESSAGE_FIELDS = new Set(['reasoning', 'reasoning_content', 'reasoning_details', 'annotations', 'parsed']);

const orUndefined = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);
const WIRE_NAMES: ParamNamer = (path) => path;

function rest(value: object, own: ReadonlySet<string>, dropped: ReadonlySet<string> = new Set()): PassThrough | undefined {
  let found: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(value)) {
    if (own.has(key) || dropped.has(key) || field === undefined) continue;
    // A null refusal is what the SDKs echo back for an answer that refused nothing.
    if (key === 'refusal' && field === null) continue;
    (found ??= {})[key] = field;
  }
  return found;
}

function toPart(part: Record<string, unknown>): ContentPart {
  if (part.type === 'text' && typeof part.text === 'string') {
    const extra = rest(part, new Set(['type', 'text']));
    return { type: 'text', text: part.text, ...(extra === undefined ? {} : { extra }) };
  }
  if (part.type === 'image_url' && part.image_url !== null && typeof part.image_url === 'object') {
    const extra = rest(part, new Set(['type', 'image_url']));
    return { type: 'image_url', imageUrl: part.image_url as { url: string; detail?: 'auto' | 'low' | 'high' }, ...(extra === undefined ? {} : { extra }) };
  }
  return { type: 'other', part };
}

function toContent(content: WireChatMessage['content']): ChatMessage['content'] {
  if (content === undefined || content === null || typeof content === 'string') return content ?? null;
  return content.map((part) => toPart(part as Record<string, unknown>));
}

function toMessage(message: WireChatMessage): ChatMessage {
  const result: ChatMessage = { role: message.role, content: toContent(message.content) };
  if (message.name !== undefined) result.name = message.name;
  if (message.tool_call_id !== undefined) result.toolCallId = message.tool_call_id;
  if (message.tool_calls !== undefined) {
    result.toolCalls = message.tool_calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }));
  }
  const extra = rest(message, OWN_MESSAGE_FIELDS, RESPONSE_ONLY_MESSAGE_FIELDS);
  if (extra !== undefined) result.extra = extra;
  return result;
}

function toTool(tool: Record<string, unknown>): ToolDefinition {
  const fn = tool.function as { name?: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null } | undefined;
  if (tool.type === 'function' && fn?.name !== undefined) {
    return { name: fn.name, description: fn.description, parameters: fn.parameters, strict: fn.strict };
  }
  const named = tool[String(tool.type)] as { name?: unknown } | undefined;
  return { name: typeof named?.name === 'string' ? named.name : String(tool.type), raw: tool };
}

export function fromWireRequest(body: CreateChatCompletionRequest, nameParam: ParamNamer = WIRE_NAMES): RestChatRequest {
  const fields = body as Record<string, unknown>;
  refuseSteeringFields(fields, nameParam);
  const providerOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!INTERPRETED.has(key) && value !== undefined && value !== null) providerOptions[key] = value;
  }
  const { include_usage: _includeUsage, ...streamOptions } = body.stream_options ?? {};
  if (Object.keys(streamOptions).length > 0) providerOptions.stream_options = streamOptions;
  else delete providerOptions.stream_options;
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
    tools: body.tools?.map((tool) => toTool(tool as Record<string, unknown>)),
    providerOptions,
  };
  return { command, stream: body.stream === true, includeUsageChunk: body.stream_options?.include_usage === true };
}
