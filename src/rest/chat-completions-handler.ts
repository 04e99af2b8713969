/** POST /v1/chat/completions: OpenAI-compatible, whole or streamed. */
import type { Request, Response } from 'express';
import type { GatewayService } from '../gateway/gateway-service.js';
import { abortWhenClientLeaves } from '../http/client-abort-signal.js';
import { clientIdFor } from '../auth/access.js';
import { clientIdOf } from '../http/client-identity.js';
import { principalOf } from '../http/principal.js';
import { requestIdOf } from '../http/request-id.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { reportOf } from '../observability/request-log.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import { cacheDirectivesFrom } from './cache-directives.js';
import { fromWireRequest } from './from-wire-request.js';
import type { CreateChatCompletionRequest } from './openai-wire-types.js';
import { gatewayHeaders } from './response-headers.js';
import { writeSseStream } from './sse-writer.js';
import { toWireCompletion } from './to-wire-response.js';

export interface ChatCompletionsHandlerDeps {
  gateway: GatewayService;
  logger: Logger;
  sseHeartbeatMs: number;
  lifecycle: Lifecycle;
  metrics: GatewayMetrics;
}

export function createChatCompletionsHandler(deps: ChatCompletionsHandlerDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const { command, stream, includeUsageChunk } = fromWireRequest(req.body as CreateChatCompletionRequest);
    const requestId = requestIdOf(res);
    const abort = abortWhenClientLeaves(res);
    const report = reportOf(res);
    const context = {
      requestId,
      clientId: clientIdFor(principalOf(res), clientIdOf(req)),
      principal: principalOf(res),
      signal: abort.signal,
      includeUsageChunk,
      cache: cacheDirectivesFrom(req.headers['cache-control']),
      report,
    };

    if (stream) {
      const chunks = deps.gateway.streamChatCompletion(command, context);
      await writeSseStream(res, chunks, {
        heartbeatMs: deps.sseHeartbeatMs,
        abort,
        logger: deps.logger,
        requestId,
        lifecycle: deps.lifecycle,
        metrics: deps.metrics,
        headersFor: (first) => gatewayHeaders(first, report),
      });
      return;
    }
    const result = await deps.gateway.createChatCompletion(command, context);
    if (abort.signal.aborted) return;
    res.set(gatewayHeaders(result, report)).json(toWireCompletion(result));
  };
}
