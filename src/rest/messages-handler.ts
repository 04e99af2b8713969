/**
 * POST /v1/messages (Anthropic's Messages API) and /v1/messages/count_tokens. Requests are
 * translated to the gateway's chat command and go through the same gateway path as chat
 * completions; answers, streams and errors come back in Anthropic's shapes.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import type { HttpRequest, HttpResponse } from '../http/http-exchange.js';
import { anthropicMessages, anthropicPassThrough, fromAnthropicRequest, type AnthropicCountTokensRequest, type AnthropicMessagesRequest } from '../contract/anthropic-request.js';
import { toAnthropicError, toAnthropicMessage } from '../contract/anthropic-response.js';
import { toGatewayError } from '../errors.js';
import { requestIdOf } from '../http/request-id.js';
import { recordErrorCode } from '../http/request-log.js';
import { estimatePromptTokens, estimateTextTokens } from '../limits/token-estimate.js';
import type { Logger } from '../observability/logger.js';
import { anthropicEncoder } from './anthropic-events.js';
import { passThroughEncoder, servePassThrough } from './pass-through-response.js';
import { serveTranslatedChat, type TranslatedChatDeps } from './translated-chat.js';

/** Anthropic's stream as the provider sent it; a failure after the start is Anthropic's error event. */
const nativeEncoder = passThroughEncoder('', (error) => `event: error\ndata: ${JSON.stringify(toAnthropicError(error))}\n\n`);

export function createMessagesHandler(deps: TranslatedChatDeps) {
  return async (req: HttpRequest, res: HttpResponse): Promise<void> => {
    const request = req.body as AnthropicMessagesRequest;
    if (deps.gateway.servesAsIs('anthropic-messages', request.model)) {
      await servePassThrough(req, res, deps, anthropicPassThrough(request), request.stream === true, nativeEncoder);
      return;
    }
    const { command, stream } = fromAnthropicRequest(request);
    await serveTranslatedChat(req, res, deps, command, { stream, encoder: anthropicEncoder, body: toAnthropicMessage });
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
