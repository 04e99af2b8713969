/**
 * Endpoints whose bodies pass through untranslated: legacy `/completions`, and Anthropic's
 * `/v1/messages` or OpenAI's `/responses` on servers that speak them. The client's body goes out
 * with the provider's model id; the answer, and each stream event with its name, come back as the
 * server sent them. Usage is read for accounting, the only thing the gateway takes from them.
 */
import type { Readable } from 'node:stream';
import { GatewayError } from '../../errors.js';
import type { TokenUsage } from '../../vocabulary/chat-request.js';
import type { PassThroughProtocol, PassThroughResponse } from '../../vocabulary/pass-through.js';
import type { CallOptions, PassThroughEndpoint, PassThroughRequest, PassThroughStreamPart } from '../types.js';
import { findWireError, mapInBandError } from './map-upstream-error.js';
import { mapUsage } from './map-usage.js';
import { EventFramer, type EventSink } from './parse-event-stream.js';
import { bodyParts, type BodyDecoder } from '../http/body-parts.js';
import type { Flow } from '../../streams/flow.js';
import { LazyFlow } from '../../streams/lazy-flow.js';
import type { UpstreamTransport } from './upstream-transport.js';
import type { WireError } from './wire-types.js';

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined);
const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Anthropic's and the Responses API's usage objects in the gateway's terms. */
function inputOutputUsage(usage: Json | undefined, cachedTokens: number): TokenUsage | null {
  if (usage === undefined) return null;
  const promptTokens = count(usage.input_tokens) + count(usage.cache_read_input_tokens) + count(usage.cache_creation_input_tokens);
  const completionTokens = count(usage.output_tokens);
  const reasoning = asObject(usage.output_tokens_details)?.reasoning_tokens;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens, cachedTokens, ...(typeof reasoning === 'number' ? { reasoningTokens: reasoning } : {}), wire: usage };
}

interface ProtocolRules {
  path: string;
  /** The usage of a whole answer. */
  usageOf(body: Json): TokenUsage | null;
  /** The usage known after this event, given what was known before. */
  streamUsage(event: string | undefined, body: Json, before: TokenUsage | null): TokenUsage | null;
  /** Whether this event ends the stream (protocols without `[DONE]`). */
  ends(event: string | undefined, body: Json): boolean;
  streamBody(request: PassThroughRequest): Json;
}

const RULES: Readonly<Record<PassThroughProtocol, ProtocolRules>> = {
  completions: {
    path: 'completions',
    usageOf: (body) => mapUsage(body.usage as Parameters<typeof mapUsage>[0]),
    streamUsage: (_event, body, before) => mapUsage(body.usage as Parameters<typeof mapUsage>[0]) ?? before,
    ends: () => false,
    // Usage is always asked for, for accounting; the usage chunk reaches the client only if it asked.
    streamBody: (request) => ({ ...request.body, model: request.model, stream: true, stream_options: { ...asObject(request.body.stream_options), include_usage: true } }),
  },
  'anthropic-messages': {
    path: 'v1/messages',
    usageOf: (body) => inputOutputUsage(asObject(body.usage), count(asObject(body.usage)?.cache_read_input_tokens)),
    streamUsage: (_event, body, before) => {
      const started = asObject(asObject(body.message)?.usage);
      if (body.type === 'message_start' && started !== undefined) return inputOutputUsage(started, count(started.cache_read_input_tokens));
      const delta = asObject(body.usage);
      if (body.type !== 'message_delta' || delta === undefined) return before;
      // message_delta carries cumulative output tokens, and input tokens only on some servers.
      const completionTokens = count(delta.output_tokens);
      const promptTokens = delta.input_tokens === undefined ? (before?.promptTokens ?? 0) : count(delta.input_tokens) + count(delta.cache_read_input_tokens);
      return { ...before, promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
    },
    ends: (_event, body) => body.type === 'message_stop',
    streamBody: (request) => ({ ...request.body, model: request.model, stream: true }),
  },
  responses: {
    path: 'responses',
    usageOf: (body) => inputOutputUsage(asObject(body.usage), count(asObject(asObject(body.usage)?.input_tokens_details)?.cached_tokens)),
    streamUsage: (_event, body, before) => {
      const usage = asObject(asObject(body.response)?.usage);
      return usage === undefined ? before : inputOutputUsage(usage, count(asObject(usage.input_tokens_details)?.cached_tokens));
    },
    ends: (_event, body) => body.type === 'response.completed' || body.type === 'response.failed' || body.type === 'response.incomplete',
    streamBody: (request) => ({ ...request.body, model: request.model, stream: true }),
  },
};

/** An error event in any of the three protocols: OpenAI's `error` object, Anthropic's, or the Responses `error` event. */
function inBandError(body: Json): WireError | undefined {
  const wire = findWireError(body);
  if (wire !== undefined) return wire;
  if (body.type === 'error') return { message: typeof body.message === 'string' ? body.message : 'error event', ...(typeof body.code === 'string' ? { code: body.code } : {}) };
  return undefined;
}

/**
 * A passed-through stream's body, chunk by chunk, as parts: each event as the server sent it, with
 * the usage known so far. A body that is not JSON throws, which the body reader turns into the
 * stream's failure part.
 */
class PassThroughDecoder implements BodyDecoder<PassThroughStreamPart> {
  private readonly framer = new EventFramer();
  private emit: (part: PassThroughStreamPart) => void = () => {};
  private usage: TokenUsage | null = null;
  private finished = false;
  /** Nothing after this counts: the protocol's last event came, or an error part was the last part. */
  done = false;
  private readonly onEventData: EventSink = (data, event) => {
    if (this.done) return;
    this.onEvent();
    this.decode(data, event);
  };

  constructor(
    private readonly transport: UpstreamTransport,
    private readonly rules: ProtocolRules,
    /** Legacy completions ask for usage always, for accounting; its chunk reaches only clients that asked. */
    private readonly hideUsageChunk: boolean,
    private readonly onEvent: () => void,
  ) {}

  push(chunk: Buffer | string, emit: (part: PassThroughStreamPart) => void): void {
    this.emit = emit;
    this.framer.feed(chunk, this.onEventData);
  }

  end(emit: (part: PassThroughStreamPart) => void): void {
    this.emit = emit;
    if (!this.done) this.framer.flush(this.onEventData);
    if (!this.finished && !this.done) {
      const providerId = this.transport.source.providerId;
      emit({ type: 'error', error: new GatewayError('upstream_stream_truncated', `Provider ${providerId} closed the stream before finishing it.`, { provider: providerId }) });
    }
  }

  private decode(eventData: string, event: string | undefined): void {
    const data = eventData.trim();
    if (data === '[DONE]') return this.finish();
    if (data === '') return;
    const chunk = JSON.parse(data) as Json;
    const wireError = inBandError(chunk);
    if (wireError !== undefined) {
      this.emit({ type: 'error', error: mapInBandError(this.transport.source, wireError, true) });
      this.done = true;
      return;
    }
    this.usage = this.rules.streamUsage(event, chunk, this.usage);
    const hidden = this.hideUsageChunk && Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage !== undefined;
    this.emit({ type: 'chunk', ...(event === undefined ? {} : { event }), body: hidden ? {} : chunk, usage: this.usage });
    if (this.rules.ends(event, chunk)) this.finish();
  }

  private finish(): void {
    this.finished = true;
    this.done = true;
  }
}

export function passThroughEndpoint(transport: UpstreamTransport, protocol: PassThroughProtocol): PassThroughEndpoint {
  const rules = RULES[protocol];
  const providerId = transport.source.providerId;

  async function complete(request: PassThroughRequest, options: CallOptions): Promise<PassThroughResponse> {
    transport.assertConfigured();
    const deadline = transport.deadline(options);
    try {
      const stream = await transport.open('POST', rules.path, { ...request.body, model: request.model, stream: false }, options, deadline);
      const text = await transport.readText(stream, undefined, deadline);
      let body: Json;
      try {
        body = JSON.parse(text) as Json;
      } catch {
        throw new GatewayError('upstream_unavailable', `Provider ${providerId} sent an answer that is not JSON.`, { provider: providerId });
      }
      const wireError = inBandError(body);
      if (wireError !== undefined) throw mapInBandError(transport.source, wireError, false);
      return { body, model: typeof body.model === 'string' ? body.model : request.model, usage: rules.usageOf(body) };
    } catch (error) {
      throw transport.failure(error, deadline, false);
    } finally {
      deadline.dispose();
    }
  }

  function stream(request: PassThroughRequest, options: CallOptions): Flow<PassThroughStreamPart> {
    return new LazyFlow(async () => {
      transport.assertConfigured();
      const deadline = transport.deadline(options);
      let body: Readable;
      try {
        body = await transport.open('POST', rules.path, rules.streamBody(request), options, deadline);
      } catch (error) {
        const failure = transport.failure(error, deadline, false);
        deadline.dispose();
        throw failure;
      }
      return bodyParts<PassThroughStreamPart>(body, new PassThroughDecoder(transport, rules, protocol === 'completions' && !request.includeUsage, () => deadline.markProgress()), {
        failurePart: (error) => ({ type: 'error', error: transport.failure(error, deadline, true) }),
        release: () => deadline.dispose(),
      });
    });
  }

  return { complete, stream };
}
