/**
 * A chat chunk stream as Anthropic's Messages events: `message_start`, then for each content block
 * (thinking, text, each tool call) `content_block_start`, its deltas (`thinking_delta`,
 * `text_delta`, `input_json_delta`) and `content_block_stop`, then `message_delta` with the stop
 * reason and usage, and `message_stop`. A failure is an `error` event.
 */
import { anthropicMessageId, toAnthropicError, toAnthropicStopReason, toAnthropicUsage } from '../contract/anthropic-response.js';
import type { ChatChunk } from '../vocabulary/chat-results.js';
import type { SseEncoder } from './sse-writer.js';

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

type Block = { kind: 'thinking' } | { kind: 'text' } | { kind: 'tool'; index: number };

export function anthropicEncoder(): SseEncoder {
  let started = false;
  let open: Block | undefined;
  let index = -1;
  let stopReason: ReturnType<typeof toAnthropicStopReason> = null;
  let usage = toAnthropicUsage(null);

  const closeBlock = (): string => {
    if (open === undefined) return '';
    open = undefined;
    return event('content_block_stop', { type: 'content_block_stop', index });
  };
  const openBlock = (block: Block, contentBlock: Record<string, unknown>): string => {
    const closed = closeBlock();
    open = block;
    index++;
    return closed + event('content_block_start', { type: 'content_block_start', index, content_block: contentBlock });
  };
  const sameBlock = (block: Block) => open !== undefined && open.kind === block.kind && (block.kind !== 'tool' || (open.kind === 'tool' && open.index === block.index));

  return {
    chunk(chunk: ChatChunk): string {
      let out = '';
      if (!started) {
        started = true;
        out += event('message_start', {
          type: 'message_start',
          message: { id: anthropicMessageId(chunk.id), type: 'message', role: 'assistant', model: chunk.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
        });
      }
      if (chunk.usage !== null) usage = toAnthropicUsage(chunk.usage);
      const choice = chunk.choices[0];
      if (choice === undefined) return out;
      const { delta } = choice;
      if (delta.reasoning !== undefined && delta.reasoning !== '') {
        if (!sameBlock({ kind: 'thinking' })) out += openBlock({ kind: 'thinking' }, { type: 'thinking', thinking: '', signature: '' });
        out += event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: delta.reasoning } });
      }
      if (delta.content !== undefined && delta.content !== '') {
        if (!sameBlock({ kind: 'text' })) out += openBlock({ kind: 'text' }, { type: 'text', text: '' });
        out += event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: delta.content } });
      }
      for (const call of delta.toolCalls ?? []) {
        const block: Block = { kind: 'tool', index: call.index };
        if (!sameBlock(block)) out += openBlock(block, { type: 'tool_use', id: call.id ?? `toolu_${call.index}`, name: call.name ?? '', input: {} });
        if (call.argumentsDelta !== undefined && call.argumentsDelta !== '') {
          out += event('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: call.argumentsDelta } });
        }
      }
      if (choice.finishReason !== null) stopReason = toAnthropicStopReason(choice.finishReason);
      return out;
    },
    end(): string {
      return closeBlock() + event('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason ?? 'end_turn', stop_sequence: null }, usage }) + event('message_stop', { type: 'message_stop' });
    },
    error: (error) => event('error', toAnthropicError(error)),
  };
}
