/**
 * Answers a request passed through untranslated: the provider's body as it sent it, or its stream
 * event by event (named events stay named), with the gateway's headers saying what served it.
 */
import type { HttpRequest, HttpResponse } from '../http/http-exchange.js';
import type { ServedPassThroughChunk } from '../gateway/pass-through-pipeline.js';
import { abortWhenClientLeaves } from '../http/client-abort-signal.js';
import { httpRequestFacts } from '../http/request-facts.js';
import type { GatewayError } from '../errors.js';
import type { ServedFacts } from '../vocabulary/chat-results.js';
import type { PassThroughCommand, ServedBy } from '../vocabulary/pass-through.js';
import { gatewayHeaders } from './response-headers.js';
import { writeSseStream, type SseEncoder } from './sse-writer.js';
import type { TranslatedChatDeps } from './translated-chat.js';
import { sendJson } from './json-response.js';

/** What served a passed-through answer, as the headers of every other surface say it. */
function servedFacts(served: ServedBy, model: string): ServedFacts {
  return { ...served, model, cacheStatus: 'BYPASS' };
}

/** Each event as the provider sent it; one kept only for accounting is not written. */
export function passThroughEncoder(end: string, error: (error: GatewayError) => string): SseEncoder<ServedPassThroughChunk> {
  return {
    chunk: (chunk) => {
      if (Object.keys(chunk.body).length === 0) return '';
      return `${chunk.event === undefined ? '' : `event: ${chunk.event}\n`}data: ${JSON.stringify(chunk.body)}\n\n`;
    },
    end: () => end,
    error,
  };
}

export async function servePassThrough(req: HttpRequest, res: HttpResponse, deps: TranslatedChatDeps, command: PassThroughCommand, stream: boolean, encoder: SseEncoder<ServedPassThroughChunk>): Promise<void> {
  const abort = abortWhenClientLeaves(res);
  const facts = httpRequestFacts(req, res);
  const context = { ...facts, signal: abort.signal };
  if (stream) {
    await writeSseStream(res, deps.gateway.streamPassThrough(command, context), {
      heartbeatMs: deps.sseHeartbeatMs,
      abort,
      logger: deps.logger,
      requestId: facts.requestId,
      streams: deps.streams,
      encoder,
      headersFor: (first) => gatewayHeaders(servedFacts(first.served, typeof first.body.model === 'string' ? first.body.model : (command.model ?? '')), facts.report),
    });
    return;
  }
  const result = await deps.gateway.createPassThrough(command, context);
  if (abort.signal.aborted) return;
  sendJson(res, result.body, gatewayHeaders(servedFacts(result.served, result.model), facts.report));
}
