/** POST /v1/chat/completions: OpenAI-compatible, whole or streamed. */
import type { Request, Response } from 'express';
import type { GatewayService } from '../gateway/gateway-service.js';
import { abortWhenClientLeaves } from '../http/client-abort-signal.js';
import { requestIdOf } from '../http/request-id.js';
import type { Logger } from '../observability/logger.js';
import { fromWireRequest } from './from-wire-request.js';
import type { CreateChatCompletionRequest } from './openai-wire-types.js';
import { writeSseStream } from './sse-writer.js';
import { toWireCompletion } from './to-wire-response.js';

export interface ChatCompletionsHandlerDeps {
  gateway: GatewayService;
  logger: Logger;
  sseHeartbeatMs: number;
}

export function createChatCompletionsHandler(deps: ChatCompletionsHandlerDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const { command, stream, includeUsageChunk } = fromWireRequest(req.body as CreateChatCompletionRequest);
    const requestId = requestIdOf(res);
    const abort = abortWhenClientLeaves(res);
    const context = { requestId, signal: abort.signal, includeUsageChunk };

    if (stream) {
      const chunks = deps.gateway.streamChatCompletion(command, context);
      await writeSseStream(res, chunks, { heartbeatMs: deps.sseHeartbeatMs, abort, logger: deps.logger, requestId });
      return;
    }
    const result = await deps.gateway.createChatCompletion(command, context);
    if (abort.signal.aborted) return;
    res.setHeader('X-Gateway-Provider', result.provider);
    res.setHeader('X-Gateway-Model', result.model);
    res.setHeader('X-Gateway-Attempts', String(result.attempts));
    res.json(toWireCompletion(result));
  };
}
