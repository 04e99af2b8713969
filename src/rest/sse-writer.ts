/**
 * Writes a chunk stream as OpenAI-style Server-Sent Events. Headers wait for the first chunk, so a
 * failure before any token still gets a real HTTP status; after that, a failure becomes an error
 * event and the stream ends without `[DONE]`, which clients treat as an error, never a success.
 */
import type { HttpResponse } from '../http/http-exchange.js';
import { once } from 'node:events';
import { toGatewayError, type GatewayError } from '../errors.js';
import type { ChatChunk } from '../vocabulary/chat-results.js';
import type { Logger } from '../observability/logger.js';
import { chunkJsonWriter } from '../contract/to-wire-chat.js';
import type { OpenStreams } from '../lifecycle/open-streams.js';
import { recordErrorCode } from '../http/request-log.js';

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
  const chunkJson = chunkJsonWriter(includeUsage);
  return {
    chunk: (chunk) => `data: ${chunkJson(chunk)}\n\n`,
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

/** A client that stops reading for this long is cut off, so a stalled reader cannot pin a stream. */
const DRAIN_TIMEOUT_MS = 60_000;

/**
 * Writes and says whether the caller may go on at once. Per token, so the common case (the socket
 * takes it) costs no promise; only a full socket makes the caller wait in `drained`.
 */
function write(res: HttpResponse, text: string): boolean {
  if (res.writableEnded || res.destroyed) return true;
  return res.write(text);
}

async function drained(res: HttpResponse): Promise<void> {
  if (res.writableEnded || res.destroyed) return;
  const stopWaiting = new AbortController();
  const timer = setTimeout(() => res.destroy(), DRAIN_TIMEOUT_MS);
  try {
    await Promise.race([once(res, 'drain', { signal: stopWaiting.signal }), once(res, 'close', { signal: stopWaiting.signal })]);
  } finally {
    clearTimeout(timer);
    stopWaiting.abort();
  }
}

/**
 * Returns after the stream has ended one way or another. Throws only when the first chunk fails,
 * before anything was written, so the caller can answer with an ordinary error response.
 */
export async function writeSseStream<Chunk = ChatChunk>(res: HttpResponse, chunks: AsyncGenerator<Chunk>, options: SseStreamOptions<Chunk>): Promise<void> {
  const first = await chunks.next();
  if (first.done === true) throw new Error('the chunk stream ended before its first chunk');

  // Not flushed on their own: Node sends the headers with the first event, in one write.
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    // nginx buffers responses unless told otherwise, which would hold tokens back.
    'X-Accel-Buffering': 'no',
    ...options.headersFor(first.value),
  });

  const heartbeat = setInterval(() => {
    if (!res.writableEnded) res.write(': ping\n\n');
  }, options.heartbeatMs);
  heartbeat.unref();
  const stopOnClose = () => {
    options.abort.abort(new Error('client closed the stream'));
    // Ends the generator chain promptly instead of at its next chunk.
    void chunks.return(undefined);
  };
  res.once('close', stopOnClose);
  const close = options.streams.open('sse', (error) => {
    // The last event a client sees when the replica stops before its stream ended.
    recordErrorCode(res, error.code);
    if (!res.writableEnded) res.end(options.encoder.error(error));
    options.abort.abort(error);
  });

  try {
    if (!write(res, options.encoder.chunk(first.value))) await drained(res);
    for (let next = await chunks.next(); next.done !== true; next = await chunks.next()) {
      if (!write(res, options.encoder.chunk(next.value))) await drained(res);
    }
    if (!write(res, options.encoder.end())) await drained(res);
  } catch (error) {
    if (!options.abort.signal.aborted) {
      const gatewayError = toGatewayError(error);
      recordErrorCode(res, gatewayError.code);
      if (gatewayError.code === 'internal_error') options.logger.error({ err: error, requestId: options.requestId }, 'stream failed');
      if (!write(res, options.encoder.error(gatewayError))) await drained(res);
    }
  } finally {
    close();
    clearInterval(heartbeat);
    res.off('close', stopOnClose);
    if (!res.writableEnded) res.end();
    // What for-await did on its own: a stream left early (a chunk that failed to encode) closes the
    // generator chain, and with it the upstream request. A no-op for a chain that finished.
    void chunks.return(undefined);
  }
}
