/**
 * POST /completions (legacy text completions) on an OpenAI-compatible server, passed through: the
 * client's body with the provider's model id, the answer and each stream chunk as the server sent
 * them. Usage is read for accounting; in streams it is always asked for, and the usage-only chunk
 * is dropped again when the client did not ask for it.
 */
import type { Readable } from 'node:stream';
import { GatewayError } from '../../errors.js';
import type { TextCompletionResponse } from '../../vocabulary/text-completions.js';
import type { CallOptions, TextCompletionRequest, TextStreamPart } from '../types.js';
import { findWireError, mapInBandError } from './map-upstream-error.js';
import { mapUsage } from './map-usage.js';
import { parseEventStream } from './parse-event-stream.js';
import type { UpstreamTransport } from './upstream-transport.js';

type WireUsage = Parameters<typeof mapUsage>[0];

export async function completeText(transport: UpstreamTransport, request: TextCompletionRequest, options: CallOptions): Promise<TextCompletionResponse> {
  transport.assertConfigured();
  const deadline = transport.deadline(options);
  try {
    const stream = await transport.open('POST', 'completions', { ...request.body, model: request.model, stream: false }, options, deadline);
    const text = await transport.readText(stream, undefined, deadline);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new GatewayError('upstream_unavailable', `Provider ${transport.source.providerId} sent a completion that is not JSON.`, { provider: transport.source.providerId });
    }
    const wireError = findWireError(body);
    if (wireError !== undefined) throw mapInBandError(transport.source, wireError, false);
    return { body, model: typeof body.model === 'string' ? body.model : request.model, usage: mapUsage(body.usage as WireUsage) };
  } catch (error) {
    throw transport.failure(error, deadline, false);
  } finally {
    deadline.dispose();
  }
}

export async function* streamText(transport: UpstreamTransport, request: TextCompletionRequest, options: CallOptions): AsyncGenerator<TextStreamPart> {
  transport.assertConfigured();
  const deadline = transport.deadline(options);
  let body: Readable | undefined;
  try {
    const streamOptions = { ...(request.body.stream_options as Record<string, unknown> | undefined), include_usage: true };
    try {
      body = await transport.open('POST', 'completions', { ...request.body, model: request.model, stream: true, stream_options: streamOptions }, options, deadline);
    } catch (error) {
      throw transport.failure(error, deadline, false);
    }
    let finished = false;
    try {
      for await (const event of parseEventStream(body)) {
        deadline.markProgress();
        const data = event.data.trim();
        if (data === '[DONE]') {
          finished = true;
          break;
        }
        if (data === '') continue;
        const chunk = JSON.parse(data) as Record<string, unknown>;
        const wireError = findWireError(chunk);
        if (wireError !== undefined) {
          yield { type: 'error', error: mapInBandError(transport.source, wireError, true) };
          return;
        }
        const usage = mapUsage(chunk.usage as WireUsage);
        const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
        if (usage !== null && choices.length === 0 && !request.includeUsage) yield { type: 'chunk', body: {}, usage };
        else yield { type: 'chunk', body: chunk, usage };
      }
    } catch (error) {
      yield { type: 'error', error: transport.failure(error, deadline, true) };
      return;
    }
    if (!finished) yield { type: 'error', error: new GatewayError('upstream_stream_truncated', `Provider ${transport.source.providerId} closed the stream before finishing it.`, { provider: transport.source.providerId }) };
  } finally {
    deadline.dispose();
    if (body !== undefined && !body.readableEnded) body.destroy();
  }
}
