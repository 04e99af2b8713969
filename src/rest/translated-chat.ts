/**
 * Serves a chat command translated from another protocol (Anthropic Messages, OpenAI Responses)
 * through the one gateway path: the same request facts, cache directives and cancellation as chat
 * completions, with the protocol's own encoder for streams and its own body for whole answers.
 */
import type { HttpRequest, HttpResponse } from '../http/http-exchange.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { abortWhenClientLeaves } from '../http/client-abort-signal.js';
import { httpRequestFacts } from '../http/request-facts.js';
import type { OpenStreams } from '../lifecycle/open-streams.js';
import type { Logger } from '../observability/logger.js';
import type { ChatCompletionCommand, ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import { cacheDirectivesFrom } from './cache-directives.js';
import { gatewayHeaders } from './response-headers.js';
import { writeSseStream, type SseEncoder } from './sse-writer.js';
import { sendJson } from './json-response.js';

export interface TranslatedChatDeps {
  gateway: GatewayService;
  logger: Logger;
  sseHeartbeatMs: number;
  streams: OpenStreams;
}

export interface TranslatedAnswer {
  stream: boolean;
  encoder(): SseEncoder;
  body(result: ChatCompletionResult): Promise<unknown> | unknown;
}

export async function serveTranslatedChat(req: HttpRequest, res: HttpResponse, deps: TranslatedChatDeps, command: ChatCompletionCommand, answer: TranslatedAnswer): Promise<void> {
  const abort = abortWhenClientLeaves(res);
  const facts = httpRequestFacts(req, res);
  const context: RequestContext = { ...facts, signal: abort.signal, cache: cacheDirectivesFrom(req.headers['cache-control']) };
  if (answer.stream) {
    await writeSseStream(res, deps.gateway.streamChatCompletion(command, context), {
      heartbeatMs: deps.sseHeartbeatMs,
      abort,
      logger: deps.logger,
      requestId: facts.requestId,
      streams: deps.streams,
      encoder: answer.encoder(),
      headersFor: (first) => gatewayHeaders(first, facts.report),
    });
    return;
  }
  const result = await deps.gateway.createChatCompletion(command, context);
  if (abort.signal.aborted) return;
  const body = await answer.body(result);
  sendJson(res, body, gatewayHeaders(result, facts.report));
}
