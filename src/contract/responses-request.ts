/**
 * OpenAI's Responses request -> the gateway's chat command, so any provider serves it through the
 * one chat path. `instructions` become a leading system message (for this turn only, as OpenAI
 * does); input items become messages: consecutive `function_call` items one assistant message with
 * tool calls, `function_call_output` items tool messages; `reasoning` items are dropped (providers
 * take no reasoning back). A stored conversation (`previous_response_id`) comes first.
 */
import { GatewayError } from '../errors.js';
import type { components } from '../generated/openapi.js';
import type { ChatMessage, ContentPart, ToolCall } from '../vocabulary/chat-request.js';
import type { ChatCompletionCommand } from '../vocabulary/chat-results.js';
import type { PassThroughCommand } from '../vocabulary/pass-through.js';

type Schemas = components['schemas'];
export type ResponsesRequest = Schemas['ResponsesRequest'];
type InputItem = Schemas['ResponsesInputItem'];
type InputContent = NonNullable<InputItem['content']>;

function contentOf(content: InputContent | null | undefined): string | ContentPart[] {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  const parts: ContentPart[] = [];
  for (const part of content) {
    if ((part.type === 'input_text' || part.type === 'output_text' || part.type === 'text') && part.text !== undefined) parts.push({ type: 'text', text: part.text });
    else if (part.type === 'input_image' && part.image_url !== undefined) {
      const detail = part.detail === 'low' || part.detail === 'high' || part.detail === 'auto' ? part.detail : undefined;
      parts.push({ type: 'image_url', imageUrl: { url: part.image_url, ...(detail === undefined ? {} : { detail }) } });
    }
  }
  return parts.every((part) => part.type === 'text') ? parts.map((part) => (part.type === 'text' ? part.text : '')).join('') : parts;
}

function outputText(output: InputItem['output']): string {
  if (output === undefined) return '';
  if (typeof output === 'string') return output;
  return output.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
}

/** The input items as chat messages, in order. */
export function inputMessages(input: ResponsesRequest['input']): ChatMessage[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  const messages: ChatMessage[] = [];
  let pendingCalls: ToolCall[] = [];
  const flushCalls = () => {
    if (pendingCalls.length > 0) messages.push({ role: 'assistant', content: null, toolCalls: pendingCalls });
    pendingCalls = [];
  };
  for (const item of input) {
    if (item.type === 'function_call') {
      pendingCalls.push({ id: item.call_id ?? '', name: item.name ?? '', arguments: item.arguments ?? '{}' });
      continue;
    }
    flushCalls();
    if (item.type === 'function_call_output') messages.push({ role: 'tool', toolCallId: item.call_id ?? '', content: outputText(item.output) });
    else if ((item.type === undefined || item.type === 'message') && item.role !== undefined) messages.push({ role: item.role, content: contentOf(item.content) });
  }
  flushCalls();
  return messages;
}

function toolChoice(choice: ResponsesRequest['tool_choice']): unknown {
  if (choice === undefined || typeof choice === 'string') return choice;
  return choice.type === 'function' ? { type: 'function', function: { name: choice.name ?? '' } } : undefined;
}

function responseFormat(format: NonNullable<ResponsesRequest['text']>['format']): unknown {
  if (format === undefined || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  return {
    type: 'json_schema',
    json_schema: { name: format.name ?? 'response', schema: format.schema ?? {}, ...(format.strict === undefined ? {} : { strict: format.strict }), ...(format.description === undefined ? {} : { description: format.description }) },
  };
}

function providerOptionsOf(request: ResponsesRequest): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const choice = toolChoice(request.tool_choice);
  if (choice !== undefined) options.tool_choice = choice;
  const format = responseFormat(request.text?.format);
  if (format !== undefined) options.response_format = format;
  if (typeof request.parallel_tool_calls === 'boolean') options.parallel_tool_calls = request.parallel_tool_calls;
  if (typeof request.reasoning?.effort === 'string') options.reasoning_effort = request.reasoning.effort;
  return options;
}

export interface TranslatedResponsesRequest {
  command: ChatCompletionCommand;
  /** The conversation so far without this turn's instructions: what a stored response keeps. */
  conversation: ChatMessage[];
}

export function fromResponsesRequest(request: ResponsesRequest, history: readonly ChatMessage[]): TranslatedResponsesRequest {
  const conversation = [...history, ...inputMessages(request.input)];
  if (conversation.length === 0) throw new GatewayError('invalid_request', 'The request has no input: send `input` as text or items.', { param: 'input' });
  const instructions = typeof request.instructions === 'string' && request.instructions !== '' ? [{ role: 'system' as const, content: request.instructions }] : [];
  const tools = (request.tools ?? []).filter((tool) => tool.type === 'function' && typeof tool.name === 'string');
  const command: ChatCompletionCommand = {
    ...(request.model === undefined ? {} : { model: request.model }),
    messages: [...instructions, ...conversation],
    ...(typeof request.max_output_tokens === 'number' ? { maxTokens: request.max_output_tokens } : {}),
    ...(typeof request.temperature === 'number' ? { temperature: request.temperature } : {}),
    ...(typeof request.top_p === 'number' ? { topP: request.top_p } : {}),
    ...(request.user === undefined ? {} : { user: request.user }),
    ...(tools.length === 0 ? {} : { tools: tools.map((tool) => ({ name: tool.name ?? '', ...(typeof tool.description === 'string' ? { description: tool.description } : {}), parameters: tool.parameters ?? { type: 'object' }, ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}) })) }),
    providerOptions: providerOptionsOf(request),
  };
  return { command, conversation };
}

/** The request as it is, for a provider that serves the Responses API itself. */
export function responsesPassThrough(request: ResponsesRequest): PassThroughCommand {
  const { model, stream: _stream, ...body } = request as ResponsesRequest & Record<string, unknown>;
  return {
    protocol: 'responses',
    ...(typeof model === 'string' ? { model } : {}),
    body,
    prompt: { instructions: request.instructions, input: request.input },
    ...(typeof request.max_output_tokens === 'number' ? { maxTokens: request.max_output_tokens } : {}),
    includeUsage: false,
  };
}
