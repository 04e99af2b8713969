/**
 * POST /v1/messages (Anthropic's Messages API) and /v1/messages/count_tokens. Requests are
 * translated to the gateway's chat command and go through the same gateway path as chat
 * completions; answers, streams and errors come back in Anthropic's shapes.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { anthropicMessages, fromAnthropicRequest, type AnthropicCountTokensRequest, type AnthropicMessagesRequest } from '../contract/anthropic-request.js';
import { toAnthropicError, toAnthropicMessage } from '../contract/anthropic-response.js';
import { toGatewayError } from '../errors.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { abortWhenClientLeaves } from '../http/client-abort-signal.js';
import { httpRequestFacts } from '../http/request-facts.js';
import { requestIdOf } from '../http/request-id.js';
import { recordErrorCode } from '../http/request-log.js';
import type { OpenStreams } from '../lifecycle/open-streams.js';
import { estimatePromptTokens, estimateTextTokens } from '../limits/token-estimate.js';
import type { Logger } from '../observability/logger.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import { anthropicEncoder } from './anthropic-events.js';
import { cacheDirectivesFrom } from './cache-directives.js';
import { gatewayHeaders } from './response-headers.js';
import { writeSseStream } from './sse-writer.js';

export interface MessagesHandlerDeps {
  gateway: GatewayService;
  logger: Logger;
  sseHeartbeatMs: number;
  streams: OpenStreams;
}

export function createMessagesHandler(deps: MessagesHandlerDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const { command, stream } = fromAnthropicRequest(req.body as AnthropicMessagesRequest);
    const abort = abortWhenClientLeaves(res);
    const facts = httpRequestFacts(req, res);
    const context: RequestContext = { ...facts, signal: abort.signal, cache: cacheDirectivesFrom(req.headers['cache-control']) };
    if (stream) {
      await writeSseStream(res, deps.gateway.streamChatCompletion(command, context), {
        heartbeatMs: deps.sseHeartbeatMs,
        abort,
        logger: deps.logger,
        requestId: facts.requestId,
        streams: deps.streams,
        encoder: anthropicEncoder(),
        headersFor: (first) => gatewayHeaders(first, facts.report),
      });
      return;
    }
    const result = await deps.gateway.createChatCompletion(command, context);
    if (abort.signal.aborted) return;
    res.set(gatewayHeaders(result, facts.report)).json(toAnthropicMessage(result));
  };
}

/** An estimate from the text's length: the gateway runs no tokenizer and calls no provider for it. */
export function countMessageTokens(req: Request, res: Response): void {
  const body = req.body as AnthropicCountTokensRequest;
  const tools = body.tools === undefined ? 0 : estimateTextTokens(JSON.stringify(body.tools).length);
  res.json({ input_tokens: estimatePromptTokens({ messages: anthropicMessages(body) }) + tools });
}

/** Errors on these routes in Anthropic's shape, with the catalog's status and headers. */
export function createAnthropicErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const gatewayError = toGatewayError(error);
    if (gatewayError.code === 'internal_error') logger.error({ err: error, requestId: requestIdOf(res) }, 'unhandled error');
    recordErrorCode(res, gatewayError.code);
    res.status(gatewayError.status).set(gatewayError.headers).json(toAnthropicError(gatewayError));
  };
}
