/**
 * Chunks of a stream -> the whole completion, so a streamed answer can be cached and its usage
 * recorded; and a whole completion -> stream parts, so a cached answer can be replayed as a stream.
 * Fields the gateway does not own survive both ways: string deltas (`refusal`) are joined, a
 * choice's `logprobs.content` lists are concatenated, anything else keeps its last value.
 */
import type { DeltaExtras, StreamPart, ToolCall } from '../providers/types.js';
import { estimateTextTokens } from '../limits/token-estimate.js';
import type { PassThrough } from '../vocabulary/chat-request.js';
import type { ChatChunk, ChatCompletionResult, ToolCallDeltaResult } from '../vocabulary/chat-results.js';

function mergeDeltaExtras(into: Record<string, unknown>, extra: PassThrough | undefined): void {
  for (const [key, value] of Object.entries(extra ?? {})) {
    const previous = into[key];
    into[key] = typeof value === 'string' && typeof previous === 'string' ? previous + value : value;
  }
}

function mergeChoiceExtras(into: Record<string, unknown>, extra: PassThrough | undefined): void {
  for (const [key, value] of Object.entries(extra ?? {})) {
    const previous = into[key] as { content?: unknown } | null | undefined;
    const next = value as { content?: unknown } | null;
    if (key === 'logprobs' && Array.isArray(previous?.content) && Array.isArray(next?.content)) {
      into[key] = { ...next, content: [...previous.content, ...next.content] };
    } else if (value !== null || previous === undefined) {
      into[key] = value;
    }
  }
}

const orUndefined = (record: Record<string, unknown>): PassThrough | undefined => (Object.keys(record).length === 0 ? undefined : record);

/**
 * `keepText: false` counts the streamed text instead of keeping it, for a stream whose text nobody
 * reads at its end (no cache write, no LOG_CONTENT, no traced content): every token's string and
 * the chain joining them were otherwise held for the stream's whole life, a young-generation copy
 * and an old-generation promotion each (bench/README.md, "Twelfth pass"). Its `result()` then has
 * `null` for the content and the reasoning; `partial()` still counts what was streamed.
 */
export class CompletionAssembler {
  private content = '';
  private reasoning = '';
  private contentLength = 0;
  private reasoningLength = 0;
  private readonly toolCalls: ToolCall[] = [];
  private readonly messageExtra: Record<string, unknown> = {};
  private readonly choiceExtra: Record<string, unknown> = {};
  private last: ChatChunk | undefined;
  private finishReason: ChatCompletionResult['choices'][number]['finishReason'] | undefined;
  private usage: ChatCompletionResult['usage'] = null;

  constructor(private readonly keepText = true) {}

  add(chunk: ChatChunk): void {
    this.last = chunk;
    const choice = chunk.choices[0];
    if (chunk.usage !== null) this.usage = chunk.usage;
    if (choice === undefined) return;
    const { delta } = choice;
    if (delta.content !== undefined) this.addContent(delta.content);
    if (delta.reasoning !== undefined) this.addReasoning(delta.reasoning);
    // Checked here rather than in the merges: this runs per token, and most tokens carry neither.
    if (delta.extra !== undefined) mergeDeltaExtras(this.messageExtra, delta.extra);
    if (choice.extra !== undefined) mergeChoiceExtras(this.choiceExtra, choice.extra);
    if (delta.toolCalls !== undefined) this.addToolCalls(delta.toolCalls);
    if (choice.finishReason !== null) this.finishReason = choice.finishReason;
  }

  private addContent(text: string): void {
    this.contentLength += text.length;
    if (this.keepText) this.content += text;
  }

  private addReasoning(text: string): void {
    this.reasoningLength += text.length;
    if (this.keepText) this.reasoning += text;
  }

  private addToolCalls(deltas: readonly ToolCallDeltaResult[]): void {
    for (const delta of deltas) {
      const call = (this.toolCalls[delta.index] ??= { id: '', name: '', arguments: '' });
      if (delta.id !== undefined) call.id = delta.id;
      if (delta.name !== undefined) call.name += delta.name;
      call.arguments += delta.argumentsDelta ?? '';
    }
  }

  /**
   * What a stream that did not finish produced, with usage as the provider reported it or, when it
   * did not, as the gateway counts it (the prompt estimated, the completion from the text streamed).
   */
  partial(promptTokens: number): ChatCompletionResult | undefined {
    if (this.last === undefined) return undefined;
    const finishReason = this.finishReason;
    this.finishReason ??= 'error';
    const result = this.result();
    this.finishReason = finishReason;
    if (result === undefined || result.usage !== null) return result;
    const streamed = this.contentLength + this.reasoningLength + this.toolCalls.reduce((sum, call) => sum + (call?.arguments.length ?? 0), 0);
    const completionTokens = estimateTextTokens(streamed);
    return { ...result, usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens } };
  }

  /** The whole completion, or undefined when the stream did not finish. */
  result(): ChatCompletionResult | undefined {
    if (this.last === undefined || this.finishReason === undefined) return undefined;
    const { last } = this;
    const messageExtra = orUndefined(this.messageExtra);
    const choiceExtra = orUndefined(this.choiceExtra);
    return {
      id: last.id,
      created: last.created,
      model: last.model,
      provider: last.provider,
      ...(last.deployment === undefined ? {} : { deployment: last.deployment }),
      attempts: last.attempts,
      cacheStatus: last.cacheStatus,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: !this.keepText || (this.content === '' && this.toolCalls.length > 0) ? null : this.content,
            reasoning: !this.keepText || this.reasoning === '' ? null : this.reasoning,
            toolCalls: this.toolCalls.filter((call) => call !== undefined),
            ...(messageExtra === undefined ? {} : { extra: messageExtra }),
          },
          finishReason: this.finishReason,
          ...(choiceExtra === undefined ? {} : { extra: choiceExtra }),
        },
      ],
      usage: this.usage,
      ...(last.extra === undefined ? {} : { extra: last.extra }),
    };
  }
}

/** A whole completion as the parts a provider would have streamed for it. */
export async function* completionAsParts(result: ChatCompletionResult): AsyncGenerator<StreamPart> {
  const choice = result.choices[0];
  yield { type: 'response-metadata', id: result.id, model: result.model, created: result.created, ...(result.extra === undefined ? {} : { extra: result.extra }) };
  if (choice?.message.reasoning) yield { type: 'reasoning-delta', delta: choice.message.reasoning };
  if (choice?.message.content) yield { type: 'text-delta', delta: choice.message.content };
  if (choice?.message.extra !== undefined) yield { type: 'pass-through-delta', extra: { delta: choice.message.extra } };
  for (const [index, call] of (choice?.message.toolCalls ?? []).entries()) {
    yield { type: 'tool-call-delta', index, id: call.id, name: call.name, argumentsDelta: call.arguments };
  }
  const finishExtras: DeltaExtras | undefined = choice?.extra === undefined ? undefined : { choice: choice.extra };
  yield { type: 'finish', finishReason: choice?.finishReason ?? 'stop', usage: result.usage, ...(finishExtras === undefined ? {} : { extra: finishExtras }) };
}
