/**
 * A chat chunk stream as OpenAI's Responses events: `response.created` and `response.in_progress`,
 * then per output item (reasoning, the message, each function call) `response.output_item.added`,
 * its parts and deltas and `response.output_item.done`, then `response.completed` with the whole
 * response, which is also handed to `onCompleted` (to store it). A failure is `response.failed`.
 */
import {
  finishStatus,
  functionCallItem,
  messageItem,
  newItemId,
  outputTextOf,
  reasoningItem,
  responseShell,
  toResponsesUsage,
  failedResponse,
  type ResponseBody,
  type ResponseFrame,
  type ResponseOutputItem,
} from '../contract/responses-response.js';
import type { FinishReason, TokenUsage } from '../vocabulary/chat-request.js';
import type { ChatChunk } from '../vocabulary/chat-results.js';
import type { SseEncoder } from './sse-writer.js';

type OpenItem = { kind: 'reasoning'; id: string; text: string } | { kind: 'message'; id: string; text: string } | { kind: 'call'; id: string; index: number; callId: string; name: string; text: string };

type EventWriter = (type: string, data: Record<string, unknown>) => string;

/** The output items of one response: the one being streamed, and those already done. */
class OutputItems {
  current: OpenItem | undefined;
  readonly done: ResponseOutputItem[] = [];

  constructor(private readonly event: EventWriter) {}

  where(): { item_id: string | undefined; output_index: number } {
    return { item_id: this.current?.id, output_index: this.done.length };
  }

  close(): string {
    const open = this.current;
    if (open === undefined) return '';
    let out = '';
    let item: ResponseOutputItem;
    if (open.kind === 'reasoning') {
      item = reasoningItem(open.id, open.text);
      const part = { type: 'summary_text', text: open.text };
      out += this.event('response.reasoning_summary_text.done', { ...this.where(), summary_index: 0, text: open.text }) + this.event('response.reasoning_summary_part.done', { ...this.where(), summary_index: 0, part });
    } else if (open.kind === 'message') {
      item = messageItem(open.id, open.text);
      const part = { type: 'output_text', text: open.text, annotations: [] };
      out += this.event('response.output_text.done', { ...this.where(), content_index: 0, text: open.text, logprobs: [] }) + this.event('response.content_part.done', { ...this.where(), content_index: 0, part });
    } else {
      item = functionCallItem(open.id, { id: open.callId, name: open.name, arguments: open.text });
      out += this.event('response.function_call_arguments.done', { ...this.where(), name: open.name, arguments: open.text });
    }
    out += this.event('response.output_item.done', { output_index: this.done.length, item });
    this.done.push(item);
    this.current = undefined;
    return out;
  }

  open(item: OpenItem): string {
    const out = this.close();
    this.current = item;
    const added = (shape: ResponseOutputItem | Record<string, unknown>) => this.event('response.output_item.added', { output_index: this.done.length, item: shape });
    if (item.kind === 'reasoning') {
      return out + added({ type: 'reasoning', id: item.id, summary: [] }) + this.event('response.reasoning_summary_part.added', { ...this.where(), summary_index: 0, part: { type: 'summary_text', text: '' } });
    }
    if (item.kind === 'message') {
      return out + added(messageItem(item.id, '', 'in_progress')) + this.event('response.content_part.added', { ...this.where(), content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    }
    return out + added(functionCallItem(item.id, { id: item.callId, name: item.name, arguments: '' }, 'in_progress'));
  }
}

export function responsesEncoder(frame: ResponseFrame, onCompleted: (response: ResponseBody) => void): SseEncoder {
  let sequence = 0;
  let model = frame.request.model ?? '';
  let finishReason: FinishReason | null = null;
  let usage: TokenUsage | null = null;
  const event: EventWriter = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const items = new OutputItems(event);

  const started = (chunk: ChatChunk): string => {
    model = chunk.model || model;
    const response = responseShell(frame, model, 'in_progress');
    return event('response.created', { response }) + event('response.in_progress', { response });
  };

  return {
    chunk(chunk: ChatChunk): string {
      let out = sequence === 0 ? started(chunk) : '';
      if (chunk.usage !== null) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (choice === undefined) return out;
      const { delta } = choice;
      if (delta.reasoning !== undefined && delta.reasoning !== '') {
        if (items.current?.kind !== 'reasoning') out += items.open({ kind: 'reasoning', id: newItemId('rs'), text: '' });
        if (items.current?.kind === 'reasoning') items.current.text += delta.reasoning;
        out += event('response.reasoning_summary_text.delta', { ...items.where(), summary_index: 0, delta: delta.reasoning });
      }
      if (delta.content !== undefined && delta.content !== null && delta.content !== '') {
        if (items.current?.kind !== 'message') out += items.open({ kind: 'message', id: newItemId('msg'), text: '' });
        if (items.current?.kind === 'message') items.current.text += delta.content;
        out += event('response.output_text.delta', { ...items.where(), content_index: 0, delta: delta.content, logprobs: [] });
      }
      for (const call of delta.toolCalls ?? []) {
        const current = items.current;
        if (current?.kind !== 'call' || current.index !== call.index) out += items.open({ kind: 'call', id: newItemId('fc'), index: call.index, callId: call.id ?? `call_${call.index}`, name: call.name ?? '', text: '' });
        if (items.current?.kind === 'call' && call.argumentsDelta !== undefined && call.argumentsDelta !== '') {
          items.current.text += call.argumentsDelta;
          out += event('response.function_call_arguments.delta', { ...items.where(), delta: call.argumentsDelta });
        }
      }
      if (choice.finishReason !== null) finishReason = choice.finishReason;
      return out;
    },
    end(): string {
      const out = items.close();
      const response: ResponseBody = { ...responseShell(frame, model, 'completed'), ...finishStatus(finishReason ?? 'stop'), output: items.done, output_text: outputTextOf(items.done), usage: toResponsesUsage(usage) };
      onCompleted(response);
      return out + event('response.completed', { response });
    },
    error: (error) => items.close() + event('response.failed', { response: failedResponse(frame, model, items.done, error) }),
  };
}
