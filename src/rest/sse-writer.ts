/**
 * Writes a chunk stream as OpenAI-style Server-Sent Events. Headers wait for the first chunk, so a
 * failure before any token still gets a real HTTP status; after that, a failure becomes an error
 * event and the stream ends without `[DONE]`, which clients treat as an error, never a success.
 */
import { writeAnswerHead, type HttpResponse } from '../http/http-exchange.js';
import { FramedChunks } from '../http/framed-chunks.js';
import { toGatewayError, type GatewayError } from '../errors.js';
import type { ChatChunk } from '../vocabulary/chat-results.js';
import type { Logger } from '../observability/logger.js';
import { chunkJsonWriter } from '../contract/to-wire-chat.js';
import type { OpenStreams } from '../lifecycle/open-streams.js';
import { recordErrorCode } from '../http/request-log.js';
import { asFlow, type Flow, type FlowPipe, type FlowSink } from '../streams/flow.js';

/**
 * How one protocol writes a chunk stream as events: OpenAI's `data:` chunks ending in `[DONE]`, or
 * Anthropic's typed events. Each method returns the text to write (possibly several events).
 */
export interface SseEncoder<Chunk = ChatChunk> {
  chunk(chunk: Chunk): string;
  end(): string;
  error(error: GatewayError): string;
}

/** OpenAI's chat stream: a `data:` line per chunk, `[DONE]` at the end, an error body as the last event. */
export function openAiEncoder(includeUsage: boolean): SseEncoder {
  return {
    chunk: chunkJsonWriter(includeUsage, 'data: ', '\n\n'),
    end: () => 'data: [DONE]\n\n',
    error: (error) => `data: ${JSON.stringify(error.toBody())}\n\n`,
  };
}

export interface SseStreamOptions<Chunk = ChatChunk> {
  heartbeatMs: number;
  /** Aborts the upstream call; fired when the client leaves. */
  abort: AbortController;
  logger: Logger;
  requestId: string;
  streams: OpenStreams;
  encoder: SseEncoder<Chunk>;
  /** Response headers, decided once the first chunk says what serves the stream. */
  headersFor: (first: Chunk) => Record<string, string>;
}

const STREAM_HEADERS = [
  'Content-Type', 'text/event-stream; charset=utf-8',
  'Cache-Control', 'no-cache, no-transform',
  'Connection', 'keep-alive',
  // nginx buffers responses unless told otherwise, which would hold tokens back.
  'X-Accel-Buffering', 'no',
] as const;

/** A client that stops reading for this long is cut off, so a stalled reader cannot pin a stream. */
const DRAIN_TIMEOUT_MS = 60_000;

/**
 * Returns after the stream has ended one way or another. Throws only when the first chunk fails,
 * before anything was written, so the caller can answer with an ordinary error response. After the
 * first chunk the stream is piped: each chunk is written inside the upstream's own data event.
 */
export async function writeSseStream<Chunk = ChatChunk>(res: HttpResponse, chunks: AsyncIterable<Chunk>, options: SseStreamOptions<Chunk>): Promise<void> {
  const flow = asFlow(chunks);
  const first = await flow.next();
  if (first.done === true) throw new Error('the chunk stream ended before its first chunk');

  // Not flushed on their own: Node sends the headers with the first event, in one write.
  writeAnswerHead(res, 200, STREAM_HEADERS, options.headersFor(first.value));
  await new SseSession(res, new FramedChunks(res), flow, options).run(first.value);
}

/**
 * One stream being written: its heartbeat, back-pressure, shutdown and however it ends. It is its
 * flow's sink itself, so a token is one call from the flow to `push`, with no adapter made per stream.
 */
class SseSession<Chunk> implements FlowSink<Chunk> {
  private pipe: FlowPipe | undefined;
  private settled = false;
  private finish: () => void = () => {};
  private drainTimer: NodeJS.Timeout | undefined;
  private readonly onDrain = () => {
    clearTimeout(this.drainTimer);
    this.pipe?.resume();
  };
  private readonly onClose = () => {
    this.options.abort.abort(new Error('client closed the stream'));
    this.stop();
    this.done();
  };

  constructor(
    private readonly res: HttpResponse,
    /** Every write of the body after the head, so each event is one framed write. */
    private readonly body: FramedChunks,
    private readonly flow: Flow<Chunk>,
    private readonly options: SseStreamOptions<Chunk>,
  ) {}

  async run(first: Chunk): Promise<void> {
    const { res, options } = this;
    const heartbeat = setInterval(() => this.write(': ping\n\n'), options.heartbeatMs);
    heartbeat.unref();
    res.once('close', this.onClose);
    let close: (() => void) | undefined;
    // Everything after the head is inside the try: however this ends, the body gets its last frame.
    try {
      close = options.streams.open('sse', (error) => {
        // The last event a client sees when the replica stops before its stream ended.
        recordErrorCode(res, error.code);
        if (!res.writableEnded) this.body.end(options.encoder.error(error));
        options.abort.abort(error);
      });
      const ended = new Promise<void>((resolve) => (this.finish = resolve));
      this.push(first);
      if (!this.settled) this.pipe = this.flow.pipe(this);
      await ended;
    } finally {
      close?.();
      clearInterval(heartbeat);
      clearTimeout(this.drainTimer);
      res.off('close', this.onClose);
      res.off('drain', this.onDrain);
      if (!res.writableEnded) this.body.end();
      // A stream left early (a chunk that failed to encode) closes the flow, and with it the upstream request.
      this.stop();
    }
  }

  /** Writes a chunk; false while the socket is full, so the upstream pauses until it drains. */
  push(chunk: Chunk): boolean {
    if (this.settled) return false;
    let text: string;
    try {
      text = this.options.encoder.chunk(chunk);
    } catch (error) {
      this.fail(error);
      this.stop();
      return false;
    }
    if (this.write(text)) return true;
    this.res.once('drain', this.onDrain);
    clearTimeout(this.drainTimer);
    this.drainTimer = setTimeout(() => this.res.destroy(), DRAIN_TIMEOUT_MS);
    return false;
  }

  end(): void {
    if (this.settled) return;
    this.write(this.options.encoder.end());
    this.done();
  }

  fail(error: unknown): void {
    if (this.settled) return;
    const { options } = this;
    if (!options.abort.signal.aborted) {
      const gatewayError = toGatewayError(error);
      recordErrorCode(this.res, gatewayError.code);
      if (gatewayError.code === 'internal_error') options.logger.error({ err: error, requestId: options.requestId }, 'stream failed');
      this.write(options.encoder.error(gatewayError));
    }
    this.done();
  }

  private write(text: string): boolean {
    const { res } = this;
    if (res.writableEnded || res.destroyed) return true;
    return this.body.write(text);
  }

  private stop(): void {
    if (this.pipe !== undefined) this.pipe.stop();
    else void this.flow.return();
  }

  private done(): void {
    this.settled = true;
    this.finish();
  }
}
