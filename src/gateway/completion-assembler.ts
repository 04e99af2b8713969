/**
 * Chunks of a stream -> the whole completion, so a streamed answer can be cached and its usage
 * recorded; and a whole completion -> stream parts, so a cached answer can be replayed as a stream.
 */
import type { StreamPart } from '../providers/types.js';
import type { ToolCall } from '../vocabulary/chat-request.js';
import type { ChatChunk, ChatCompletionResult } from '../vocabulary/chat-results.js';

export class CompletionAssembler {
  private content = '';
  private reasoning = '';
  private readonly toolCalls: ToolCall[] = [];
  private last: ChatChunk | undefined;
  private finishReason: ChatCompletionResult['choices'][number]['finishReason'] | undefined;
  private usage: ChatCompletionResult['usage'] = null;

  add(chunk: ChatChunk): void {
    this.last = chunk;
    const choice = chunk.choices[0];
    if (chunk.usage !== null) this.usage = chunk.usage;
    if (choice === undefined) return;
    this.content += choice.delta.content ?? '';
    this.reasoning += choice.delta.reasoning ?? '';
    for (const delta of choice.delta.toolCalls ?? []) {
      const call = (this.toolCalls[delta.index] ??= { id: '', name: '', arguments: '' });
      if (delta.id !== undefined) call.id = delta.id;
      if (delta.name !== undefined) call.name += delta.name;
      call.arguments += delta.argumentsDelta ?? '';
    }
    if (choice.finishReason !== null) this.finishReason = choice.finishReason;
  }

  /** The whole completion, or undefined when the stream did not finish. */
  result(): ChatCompletionResult | undefined {
    if (this.last === undefined || this.finishReason === undefined) return undefined;
    return {
      id: this.last.id,
      created: this.last.created,
      model: this.last.model,
      provider: this.last.provider,
      ...(this.last.deployment === undefined ? {} : { deployment: this.last.deployment }),
      attempts: this.last.attempts,
      cacheStatus: this.last.cacheStatus,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: this.content === '' && this.toolCalls.length > 0 ? null : this.content,
            reasoning: this.reasoning === '' ? null : this.reasoning,
            toolCalls: this.toolCalls.filter((call) => call !== undefined),
          },
          finishReason: this.finishReason,
        },
      ],
      usage: this.usage,
    };
  }
}

/** A whole completion as the parts a provider would have streamed for it. */
export async function* completionAsParts(result: ChatCompletionResult): AsyncGenerator<StreamPart> {
  const choice = result.choices[0];
  yield { type: 'response-metadata', id: result.id, model: result.model, created: result.created };
  if (choice?.message.reasoning) yield { type: 'reasoning-delta', delta: choice.message.reasoning };
  if (choice?.message.content) yield { type: 'text-delta', delta: choice.message.content };
  for (const [index, call] of (choice?.message.toolCalls ?? []).entries()) {
    yield { type: 'tool-call-delta', index, id: call.id, name: call.name, argumentsDelta: call.arguments };
  }
  yield { type: 'finish', finishReason: choice?.finishReason ?? 'stop', usage: result.usage };
}
