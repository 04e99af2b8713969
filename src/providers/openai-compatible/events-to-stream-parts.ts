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
import type { EventSourceMessage } from './parse-event-stream.js';
import type { WireCompletion } from './wire-types.js';

export async function* eventsToStreamParts(
  events: AsyncIterable<EventSourceMessage>,
  source: UpstreamErrorSource,
  onEvent: () => void,
): AsyncGenerator<StreamPart> {
  let finishReason: FinishReason | undefined;
  let finishExtras: DeltaExtras | undefined;
  let usage: TokenUsage | null = null;
  let sawDone = false;
  let first: WireCompletion | undefined;

  for await (const event of events) {
    onEvent();
    const data = event.data.trim();
    if (data === '[DONE]') {
      sawDone = true;
      break;
    }
    if (data === '') continue;
    let chunk: WireCompletion;
    try {
      chunk = JSON.parse(data) as WireCompletion;
    } catch {
      yield { type: 'error', error: streamError(source, 'sent a stream event that is not JSON') };
      return;
    }
    const wireError = findWireError(chunk) ?? chunk.choices?.[0]?.error;
    if (wireError !== undefined) {
      yield { type: 'error', error: mapInBandError(source, wireError, true) };
      return;
    }
    if (first === undefined) {
      first = chunk;
      const extra = responseExtras(chunk);
      yield { type: 'response-metadata', id: chunk.id, model: chunk.model, created: chunk.created, ...(extra === undefined ? {} : { extra }) };
    }
    const choice = chunk.choices?.[0];
    const delta = choice?.delta;
    const extras = deltaExtras(choice);
    const finishing = mapFinishReason(choice?.finish_reason);
    if (delta !== undefined && delta !== null) {
      const reasoning = delta.reasoning ?? delta.reasoning_content;
      if (typeof reasoning === 'string' && reasoning !== '') yield { type: 'reasoning-delta', delta: reasoning };
      const hasText = typeof delta.content === 'string' && delta.content !== '';
      if (hasText) {
        const part: Extract<StreamPart, { type: 'text-delta' }> = { type: 'text-delta', delta: delta.content as string };
        if (extras !== undefined) part.extra = extras;
        if (carriesOnlyText(chunk, first, data)) part.verbatim = data;
        yield part;
      }
      else if (extras !== undefined && finishing === undefined) yield { type: 'pass-through-delta', extra: extras };
      if (Array.isArray(delta.tool_calls)) {
        for (const [position, call] of delta.tool_calls.entries()) {
          const part: Extract<StreamPart, { type: 'tool-call-delta' }> = { type: 'tool-call-delta', index: call.index ?? position };
          if (call.id !== undefined) part.id = call.id;
          if (call.function?.name !== undefined) part.name = call.function.name;
          if (call.function?.arguments !== undefined) part.argumentsDelta = call.function.arguments;
          yield part;
        }
      }
    }
    if (finishing !== undefined) {
      finishReason = finishing;
      finishExtras = extras;
    }
    if (chunk.usage !== undefined && chunk.usage !== null) usage = mapUsage(chunk.usage);
  }

  if (finishReason === undefined && !sawDone) {
    yield {
      type: 'error',
      error: new GatewayError('upstream_stream_truncated', `Provider ${source.providerId} closed the stream before finishing it.`, {
        provider: source.providerId,
      }),
    };
    return;
  }
  yield { type: 'finish', finishReason: finishReason ?? 'stop', usage, ...(finishExtras === undefined ? {} : { extra: finishExtras }) };
}

/**
 * Whether the gateway's chunk for this event would say nothing the event does not: the stream's
 * id, model and created as its first chunk gave them (the gateway keeps those), one choice with
 * only text in its delta and no finish, no usage (its place depends on include_usage) and no
 * gateway facts of its own, on one line. Fields the gateway does not own stay where the provider put them.
 */
function carriesOnlyText(chunk: WireCompletion, first: WireCompletion, data: string): boolean {
  const choice = chunk.choices?.length === 1 ? chunk.choices[0] : undefined;
  const delta = choice?.delta;
  return (
    delta !== undefined &&
    delta !== null &&
    choice!.index === 0 &&
    choice!.finish_reason === null &&
    delta.role === undefined &&
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
