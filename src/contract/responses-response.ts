/**
 * Gateway chat results -> OpenAI's Responses shapes: the response object with its output items
 * (reasoning, the assistant message, one function_call per tool call), status, usage and the
 * request's settings echoed back, as OpenAI answers them.
 */
import { randomBytes } from 'node:crypto';
import type { GatewayError } from '../errors.js';
import type { components } from '../generated/openapi.js';
import type { ChatMessage, FinishReason, TokenUsage, ToolCall } from '../vocabulary/chat-request.js';
import type { ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { ResponsesRequest } from './responses-request.js';

type Schemas = components['schemas'];
export type ResponseBody = Schemas['ResponseObject'];
export type ResponseOutputItem = Schemas['ResponseOutputItem'];

export function newItemId(prefix: 'resp' | 'msg' | 'fc' | 'rs'): string {
  return `${prefix}_${randomBytes(16).toString('hex')}`;
}

/** The parts of a response fixed before the provider answers: its id and the request's settings. */
export interface ResponseFrame {
  id: string;
  createdAt: number;
  request: ResponsesRequest;
  store: boolean;
}

export function newResponseFrame(request: ResponsesRequest, now: number): ResponseFrame {
  return { id: newItemId('resp'), createdAt: Math.floor(now / 1000), request, store: request.store !== false };
}

export function responseShell(frame: ResponseFrame, model: string, status: ResponseBody['status']): ResponseBody {
  const { request } = frame;
  return {
    id: frame.id,
    object: 'response',
    created_at: frame.createdAt,
    status,
    model,
    output: [],
    usage: null,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    metadata: request.metadata ?? {},
    previous_response_id: request.previous_response_id ?? null,
    store: frame.store,
    max_output_tokens: request.max_output_tokens ?? null,
    temperature: request.temperature ?? null,
    top_p: request.top_p ?? null,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    text: request.text ?? { format: { type: 'text' } },
    reasoning: request.reasoning ?? null,
  };
}

export function toResponsesUsage(usage: TokenUsage | null): ResponseBody['usage'] {
  if (usage === null) return null;
  return {
    input_tokens: usage.promptTokens,
    output_tokens: usage.completionTokens,
    total_tokens: usage.totalTokens,
    input_tokens_details: { cached_tokens: usage.cachedTokens ?? 0 },
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

export const reasoningItem = (id: string, text: string): ResponseOutputItem => ({ type: 'reasoning', id, summary: [{ type: 'summary_text', text }] });
export const messageItem = (id: string, text: string, status = 'completed'): ResponseOutputItem => ({
  type: 'message',
  id,
  status,
  role: 'assistant',
  content: text === '' && status !== 'completed' ? [] : [{ type: 'output_text', text, annotations: [] }],
});
export const functionCallItem = (id: string, call: ToolCall, status = 'completed'): ResponseOutputItem => ({ type: 'function_call', id, status, call_id: call.id, name: call.name, arguments: call.arguments });

/** Completed, or incomplete with OpenAI's reason when the answer was cut short. */
export function finishStatus(reason: FinishReason | null): Pick<ResponseBody, 'status' | 'incomplete_details'> {
  if (reason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (reason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

export function outputTextOf(output: readonly ResponseOutputItem[]): string {
  return output.flatMap((item) => (item.type === 'message' ? (item.content ?? []).map((part) => part.text) : [])).join('');
}

export function toResponseObject(result: ChatCompletionResult, frame: ResponseFrame): ResponseBody {
  const choice = result.choices[0];
  const output: ResponseOutputItem[] = [];
  if (choice?.message.reasoning) output.push(reasoningItem(newItemId('rs'), choice.message.reasoning));
  if (choice?.message.content) output.push(messageItem(newItemId('msg'), choice.message.content));
  for (const call of choice?.message.toolCalls ?? []) output.push(functionCallItem(newItemId('fc'), call));
  return { ...responseShell(frame, result.model, 'completed'), ...finishStatus(choice?.finishReason ?? 'stop'), output, output_text: outputTextOf(output), usage: toResponsesUsage(result.usage) };
}

export function failedResponse(frame: ResponseFrame, model: string, output: ResponseOutputItem[], error: GatewayError): ResponseBody {
  return { ...responseShell(frame, model, 'failed'), output, error: { code: error.code, message: error.message } };
}

/** A response's output as the assistant turn a later `previous_response_id` request continues from. */
export function assistantTurnOf(output: readonly ResponseOutputItem[]): ChatMessage[] {
  const text = outputTextOf(output);
  const toolCalls: ToolCall[] = output.filter((item) => item.type === 'function_call').map((item) => ({ id: item.call_id ?? '', name: item.name ?? '', arguments: item.arguments ?? '' }));
  if (text === '' && toolCalls.length === 0) return [];
  return [{ role: 'assistant', content: text === '' ? null : text, ...(toolCalls.length > 0 ? { toolCalls } : {}) }];
}
