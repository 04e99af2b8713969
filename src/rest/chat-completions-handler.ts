/** POST /v1/chat/completions: OpenAI-compatible, whole or streamed. */
import type { HttpRequest, HttpResponse } from '../http/http-exchange.js';
import { fromWireRequest } from '../contract/from-wire-request.js';
import type { CreateChatCompletionRequest } from '../contract/openai-wire-types.js';
import { toWireCompletion } from '../contract/to-wire-chat.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { abortWhenClientLeaves } from '../http/client-abort-signal.js';
import { httpRequestFacts } from '../http/request-facts.js';
import type { OpenStreams } from '../lifecycle/open-streams.js';
import type { Logger } from '../observability/logger.js';
import type { RequestContext, ResponseReport } from '../vocabulary/request-context.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { cacheDirectivesFrom } from './cache-directives.js';
import { gatewayHeaders } from './response-headers.js';
import { openAiEncoder, writeSseStream } from './sse-writer.js';
import { sendJson } from './json-response.js';

export interface ChatCompletionsHandlerDeps {
  gateway: GatewayService;
  metrics: GatewayMetrics;
  logger: Logger;
  sseHeartbeatMs: number;
  streams: OpenStreams;
}

export function createChatCompletionsHandler(deps: ChatCompletionsHandlerDeps) {
  return async (req: HttpRequest, res: HttpResponse): Promise<void> => {
    const { command, stream, includeUsageChunk } = fromWireRequest(req.body as CreateChatCompletionRequest);
    const abort = abortWhenClientLeaves(res);
    const facts = httpRequestFacts(req, res);
    const { report } = facts;
    const context: RequestContext = { requestId: facts.requestId, clientId: facts.clientId, principal: facts.principal, report, signal: abort.signal, includeUsageChunk, cache: cacheDirectivesFrom(req.headers['cache-control']) };
    if (facts.traceparent !== undefined) context.traceparent = facts.traceparent;

    if (stream) {
      const chunks = deps.gateway.streamChatCompletion(command, context);
      await writeSseStream(res, chunks, {
        heartbeatMs: deps.sseHeartbeatMs,
        abort,
        logger: deps.logger,
        requestId: facts.requestId,
        streams: deps.streams,
        encoder: openAiEncoder(includeUsageChunk),
        headersFor: (first) => ({ ...gatewayHeaders(first, report), ...overheadHeader(report, 'stream', deps.metrics) }),
      });
      return;
    }
    const result = await deps.gateway.createChatCompletion(command, context);
    if (abort.signal.aborted) return;
    sendJson(res, toWireCompletion(result), { ...gatewayHeaders(result, report), ...overheadHeader(report, 'whole', deps.metrics) });
  };
}

/**
 * Time spent in the gateway itself, providers excluded (to the answer, or to the first streamed
 * token), as a header a client can read and a histogram operators can.
 */
function overheadHeader(report: ResponseReport, mode: 'whole' | 'stream', metrics: GatewayMetrics): Record<string, string> {
  if (report.receivedAt === undefined) return {};
  const ms = Math.max(0, performance.now() - report.receivedAt - (report.upstreamMs ?? 0));
  metrics.observeOverhead(mode, ms / 1000);
  return { 'X-Gateway-Overhead-Ms': ms.toFixed(2) };
}

