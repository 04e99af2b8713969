/**
 * POST /v1/responses (OpenAI's Responses API), and GET/DELETE /v1/responses/{id} for stored
 * responses. A route whose providers all serve the Responses API themselves gets the request as it
 * is; otherwise it is translated to the gateway's chat command, answered in the Responses shapes
 * and stored per key unless `store` is false, so `previous_response_id` continues a conversation.
 */
import type { Request, Response } from 'express';
import type { HttpRequest, HttpResponse } from '../http/http-exchange.js';
import type { StoredResponses } from '../cache/stored-responses.js';
import { fromResponsesRequest, responsesPassThrough, type ResponsesRequest } from '../contract/responses-request.js';
import { assistantTurnOf, newResponseFrame, toResponseObject, type ResponseBody } from '../contract/responses-response.js';
import { GatewayError } from '../errors.js';
import type { ChatMessage } from '../vocabulary/chat-request.js';
import type { Principal } from '../vocabulary/principal.js';
import { principalOf } from '../http/principal.js';
import { passThroughEncoder, servePassThrough } from './pass-through-response.js';
import { responsesEncoder } from './responses-events.js';
import { serveTranslatedChat, type TranslatedChatDeps } from './translated-chat.js';

export interface ResponsesHandlerDeps extends TranslatedChatDeps {
  responses: StoredResponses<ResponseBody>;
}

/** The provider's Responses stream as it sent it; a failure after the start is OpenAI's `error` event. */
const nativeEncoder = passThroughEncoder('', (error) => `event: error\ndata: ${JSON.stringify({ type: 'error', code: error.code, message: error.message, param: null })}\n\n`);

/** Whose stored responses a caller sees: a client key's own; with auth off, one shared space. */
function ownerOf(principal: Principal | undefined): string {
  if (principal?.kind === 'client') return `key:${principal.keyId}`;
  return principal?.kind ?? 'open';
}

function responseNotFound(id: string, param?: string): GatewayError {
  return new GatewayError('not_found', `No stored response '${id}' for this key.`, param === undefined ? {} : { param });
}

export function createResponsesHandler(deps: ResponsesHandlerDeps) {
  return async (req: HttpRequest, res: HttpResponse): Promise<void> => {
    const body = req.body as ResponsesRequest;
    const owner = ownerOf(principalOf(res));
    const previous = typeof body.previous_response_id === 'string' ? await deps.responses.load(owner, body.previous_response_id) : undefined;
    // A conversation the gateway holds is continued here; any other goes to a provider that keeps its own.
    if (previous === undefined && deps.gateway.servesAsIs('responses', body.model)) {
      await servePassThrough(req, res, deps, responsesPassThrough(body), body.stream === true, nativeEncoder);
      return;
    }
    if (previous === undefined && typeof body.previous_response_id === 'string') throw responseNotFound(body.previous_response_id, 'previous_response_id');
    const history: ChatMessage[] = previous?.conversation ?? [];
    const { command, conversation } = fromResponsesRequest(body, history);
    const frame = newResponseFrame(body, Date.now());
    const keep = (response: ResponseBody): Promise<void> =>
      frame.store ? deps.responses.save(owner, frame.id, { response, conversation: [...conversation, ...assistantTurnOf(response.output)] }) : Promise.resolve();
    await serveTranslatedChat(req, res, deps, command, {
      stream: body.stream === true,
      encoder: () => responsesEncoder(frame, (response) => void keep(response)),
      body: async (result) => {
        const response = toResponseObject(result, frame);
        await keep(response);
        return response;
      },
    });
  };
}

export function createRetrieveResponseHandler(responses: StoredResponses<ResponseBody>) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = String(req.params.responseId);
    const stored = await responses.load(ownerOf(principalOf(res)), id);
    if (stored === undefined) throw responseNotFound(id);
    res.json(stored.response);
  };
}

export function createDeleteResponseHandler(responses: StoredResponses<ResponseBody>) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = String(req.params.responseId);
    if (!(await responses.delete(ownerOf(principalOf(res)), id))) throw responseNotFound(id);
    res.json({ id, object: 'response', deleted: true });
  };
}
