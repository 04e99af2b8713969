/**
 * SSE messages of an OpenAI-compatible chat stream -> typed stream parts. The finish part waits for
 * the end of the stream because usage arrives after the finish reason (in its own chunk).
 */
import { GatewayError } from '../../errors.js';
import type { DeltaExtras, FinishReason, StreamPart, TokenUsage } from '../types.js';
import { mapFinishReason } from './map-finish-reason.js';
import { findWireError, mapInBandError, type UpstreamErrorSource } from './map-upstream-error.js';
import { mapUsage } from './map-usage.js';
import { choiceExtras, messageExtras, responseExtras } from './pass-through-fields.js';
import type { BodyDecoder } from '../http/body-parts.js';
import { EventFramer, type EventSink } from './parse-event-stream.js';
import { ROLE_FIELD, TextChunkTemplate } from './text-chunk-template.js';
import type { WireCompletion, WireMessage, WireToolCall } from './wire-types.js';

/**
 * Decodes one stream's events as they come, synchronously, so the provider's read loop is the one
 * async step per token: a generator per stage, with a full parse of every chunk, cost about 9% of a
 * stream (bench/README.md, "Performance work").
 */
class ChatEventDecoder {
  private finishReason: FinishReason | undefined;
  private finishExtras: DeltaExtras | undefined;
  private usage: TokenUsage | null = null;
  private sawDone = false;
  private failed = false;
  private first: WireCompletion | undefined;
  private template: TextChunkTemplate | undefined;
  /** The role chunk's other template, for text chunks that repeat the role; dropped once a text chunk decides. */
  private spare: TextChunkTemplate | undefined;
  /** Nothing after this counts: `[DONE]` came, or an error part was the last part. */
  done = false;

  constructor(private readonly source: UpstreamErrorSource) {}

  /** Hands on the parts one event's data carries. */
  decode(eventData: string, emit: (part: StreamPart) => void): void {
    const data = eventData.trim();
    if (data === '[DONE]') {
      this.sawDone = true;
      this.done = true;
      return;
    }
    if (data === '') return;
    let template = this.template;
    let text = template?.match(data);
    if (text === undefined && this.spare !== undefined) {
      template = this.spare;
      text = template.match(data);
      if (text !== undefined) this.template = template;
    }
    if (text !== undefined) {
      this.spare = undefined;
      emit(textPart(text, template!.extras, template!.verbatim(data)));
      return;
    }
    let chunk: WireCompletion;
    try {
      chunk = JSON.parse(data) as WireCompletion;
    } catch {
      this.fail(emit, streamError(this.source, 'sent a stream event that is not JSON'));
      return;
    }
    const wireError = findWireError(chunk) ?? chunk.choices?.[0]?.error;
    if (wireError !== undefined) {
      this.fail(emit, mapInBandError(this.source, wireError, true));
      return;
    }
    if (this.first === undefined) {
      this.first = chunk;
      const extra = responseExtras(chunk);
      emit({ type: 'response-metadata', id: chunk.id, model: chunk.model, created: chunk.created, ...(extra === undefined ? {} : { extra }) });
    }
    this.decodeChoice(chunk, data, emit);
    if (chunk.usage !== undefined && chunk.usage !== null) this.usage = mapUsage(chunk.usage);
  }

  /** Hands on the stream's last part once its body has ended: the finish, or why there is none. */
  end(emit: (part: StreamPart) => void): void {
    if (this.failed) return;
    if (this.finishReason === undefined && !this.sawDone) {
      emit({
        type: 'error',
        error: new GatewayError('upstream_stream_truncated', `Provider ${this.source.providerId} closed the stream before finishing it.`, {
          provider: this.source.providerId,
        }),
      });
      return;
    }
    emit({ type: 'finish', finishReason: this.finishReason ?? 'stop', usage: this.usage, ...(this.finishExtras === undefined ? {} : { extra: this.finishExtras }) });
  }

  private decodeChoice(chunk: WireCompletion, data: string, emit: (part: StreamPart) => void): void {
    const choice = chunk.choices?.[0];
    const delta = choice?.delta;
    const extras = deltaExtras(choice);
    const finishing = mapFinishReason(choice?.finish_reason);
    if (delta !== undefined && delta !== null) {
      const reasoning = delta.reasoning ?? delta.reasoning_content;
      if (typeof reasoning === 'string' && reasoning !== '') emit({ type: 'reasoning-delta', delta: reasoning });
      if (delta.content === '' && delta.role === 'assistant' && chunk === this.first && this.template === undefined) {
        [this.template, this.spare] = textTemplatesFromRoleChunk(data, chunk);
      }
      if (typeof delta.content === 'string' && delta.content !== '') {
        const passed = carriesOnlyText(chunk, this.first!, data) ? passedOn(delta, data) : undefined;
        // The next chunks that read as this one but for their text are recognised without a full parse.
        if (passed !== undefined) this.template = TextChunkTemplate.of(data, delta.content, extras, passed.roleAt);
        this.spare = undefined;
        emit(textPart(delta.content, extras, passed?.json));
      } else if (extras !== undefined && finishing === undefined) emit({ type: 'pass-through-delta', extra: extras });
      if (Array.isArray(delta.tool_calls)) emitToolCallParts(delta.tool_calls, emit);
    }
    if (finishing !== undefined) {
      this.finishReason = finishing;
      this.finishExtras = extras;
    }
  }

  private fail(emit: (part: StreamPart) => void, error: GatewayError): void {
    emit({ type: 'error', error });
    this.failed = true;
    this.done = true;
  }
}

/**
 * A chat stream's body, chunk by chunk, as parts: framed and decoded together, synchronously, each
 * part handed on as its event completes (no array filled and emptied per token: emptying one goes
 * through V8's runtime).
 */
export class ChatStreamDecoder implements BodyDecoder<StreamPart> {
  private readonly framer = new EventFramer();
  private readonly events: ChatEventDecoder;
  private emit: (part: StreamPart) => void = ignore;
  private readonly onEventData: EventSink = (data) => {
    if (this.events.done) return;
    this.onEvent();
    this.events.decode(data, this.emit);
  };

  /** `onEvent` hears of every event, the provider's sign of progress. */
  constructor(
    source: UpstreamErrorSource,
    private readonly onEvent: () => void,
  ) {
    this.events = new ChatEventDecoder(source);
  }

  /** True once nothing more in the body counts. */
  get done(): boolean {
    return this.events.done;
  }

  /** Hands on the parts a body chunk completes. */
  push(chunk: Uint8Array | string, emit: (part: StreamPart) => void): void {
    this.emit = emit;
    this.framer.feed(chunk, this.onEventData);
  }

  /** Hands on the parts left when the body ended, the last part (finish or error) included. */
  end(emit: (part: StreamPart) => void): void {
    this.emit = emit;
    if (!this.events.done) this.framer.flush(this.onEventData);
    this.events.end(emit);
  }
}

function ignore(): void {}

function textPart(text: string, extras: DeltaExtras | undefined, verbatim: string | undefined): StreamPart {
  const part: Extract<StreamPart, { type: 'text-delta' }> = { type: 'text-delta', delta: text };
  if (extras !== undefined) part.extra = extras;
  if (verbatim !== undefined) part.verbatim = verbatim;
  return part;
}

function emitToolCallParts(calls: readonly WireToolCall[], emit: (part: StreamPart) => void): void {
  for (const [position, call] of calls.entries()) {
    const part: Extract<StreamPart, { type: 'tool-call-delta' }> = { type: 'tool-call-delta', index: call.index ?? position };
    if (call.id !== undefined) part.id = call.id;
    if (call.function?.name !== undefined) part.name = call.function.name;
    if (call.function?.arguments !== undefined) part.argumentsDelta = call.function.arguments;
    emit(part);
  }
}

/**
 * A stream's first chunk usually carries the role and no text (`"delta":{"role":"assistant","content":""}`),
 * and its text chunks read as it does, with the role (OpenRouter's) or without it (most others).
 * Both templates are made from it, checked as a parsed text chunk would be, so the first token, the
 * one the client waits for, is recognised without a full parse: the work moves to the role chunk,
 * which comes with the answer's head, before the model has produced anything (a cold full parse was
 * about 40 µs of the first token's way, bench/README.md, "Seventeenth pass"). Text chunks shaped
 * otherwise match neither and are parsed in full, as before.
 */
function textTemplatesFromRoleChunk(data: string, first: WireCompletion): [withoutRole: TextChunkTemplate | undefined, withRole: TextChunkTemplate | undefined] {
  const cut = cutRole(data);
  const choice = cut?.chunk.choices?.[0];
  if (cut === undefined || choice?.delta?.content !== '' || !carriesOnlyText(cut.chunk, first, cut.json)) return [undefined, undefined];
  const extras = deltaExtras(choice);
  return [TextChunkTemplate.of(cut.json, '', extras), TextChunkTemplate.of(data, '', extras, cut.roleAt)];
}

/**
 * A text chunk as it goes on: as it came, or, when it repeats the delta's role as OpenRouter's do,
 * without it, as the gateway's own text chunks are (`roleAt` says where it was cut, -1 for nowhere).
 * Undefined when the role cannot be cut as a field before the text.
 */
function passedOn(delta: WireMessage, data: string): { json: string; roleAt: number } | undefined {
  return delta.role === undefined ? { json: data, roleAt: -1 } : cutRole(data);
}

/**
 * The chunk without its delta's `"role":"assistant",`, checked by parsing what is left: the delta
 * has no role any more, so the one cut was the delta's own field (the text, a string literal, cannot
 * hold those unescaped quotes) and a template can cut at the same place.
 */
function cutRole(data: string): { json: string; roleAt: number; chunk: WireCompletion } | undefined {
  const roleAt = data.indexOf(ROLE_FIELD);
  if (roleAt === -1) return undefined;
  const json = data.slice(0, roleAt) + data.slice(roleAt + ROLE_FIELD.length);
  let chunk: WireCompletion;
  try {
    chunk = JSON.parse(json) as WireCompletion;
  } catch {
    return undefined;
  }
  const delta = chunk.choices?.[0]?.delta;
  return delta === undefined || delta === null || delta.role !== undefined ? undefined : { json, roleAt, chunk };
}

/**
 * Whether the gateway's chunk for this event would say nothing the event does not: the stream's
 * id, model and created as its first chunk gave them (the gateway keeps those), one choice with
 * only text in its delta (the assistant's role beside it is cut) and no finish, no usage (its
 * place depends on include_usage) and no gateway facts of its own, on one line. Fields the gateway does not own stay where the provider put them.
 */
function carriesOnlyText(chunk: WireCompletion, first: WireCompletion, data: string): boolean {
  const choice = chunk.choices?.length === 1 ? chunk.choices[0] : undefined;
  const delta = choice?.delta;
  return (
    delta !== undefined &&
    delta !== null &&
    choice!.index === 0 &&
    choice!.finish_reason === null &&
    (delta.role === undefined || delta.role === 'assistant') &&
    delta.reasoning === undefined &&
    delta.reasoning_content === undefined &&
    delta.tool_calls === undefined &&
    chunk.object === 'chat.completion.chunk' &&
    typeof chunk.id === 'string' &&
    chunk.id === first.id &&
    typeof chunk.model === 'string' &&
    chunk.model === first.model &&
    typeof chunk.created === 'number' &&
    chunk.created === first.created &&
    chunk.usage === undefined &&
    (chunk as { x_gateway?: unknown }).x_gateway === undefined &&
    data.charCodeAt(0) === 123 /* { */ &&
    data.charCodeAt(data.length - 1) === 125 /* } */ &&
    // An event whose JSON spans several `data:` lines would break the SSE framing if written as one.
    !data.includes('\n') &&
    !data.includes('\r')
  );
}

/** The chunk's choice fields the gateway does not own, in the delta and beside it. */
function deltaExtras(choice: unknown): DeltaExtras | undefined {
  const delta = choice !== null && typeof choice === 'object' ? (choice as { delta?: unknown }).delta : undefined;
  const inDelta = messageExtras(delta);
  const besideDelta = choiceExtras(choice);
  if (inDelta === undefined && besideDelta === undefined) return undefined;
  return { ...(inDelta === undefined ? {} : { delta: inDelta }), ...(besideDelta === undefined ? {} : { choice: besideDelta }) };
}

function streamError(source: UpstreamErrorSource, what: string): GatewayError {
  return new GatewayError('upstream_stream_error', `Provider ${source.providerId} ${what}.`, { provider: source.providerId });
}
