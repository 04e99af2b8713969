/** POST /v1/embeddings: OpenAI-compatible, through the same gateway path as chat. */
import type { HttpRequest, HttpResponse } from '../http/http-exchange.js';
import { fromWireEmbeddingsRequest, toWireEmbeddings, type CreateEmbeddingsRequestBody } from '../contract/embeddings-wire.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { abortWhenClientLeaves } from '../http/client-abort-signal.js';
import { httpRequestFacts } from '../http/request-facts.js';
import { cacheDirectivesFrom } from './cache-directives.js';
import { gatewayHeaders } from './response-headers.js';
import { sendJson } from './json-response.js';

export function createEmbeddingsHandler(gateway: GatewayService) {
  return async (req: HttpRequest, res: HttpResponse): Promise<void> => {
    const command = fromWireEmbeddingsRequest(req.body as CreateEmbeddingsRequestBody);
    const abort = abortWhenClientLeaves(res);
    const facts = httpRequestFacts(req, res);
    const result = await gateway.createEmbeddings(command, { ...facts, signal: abort.signal, cache: cacheDirectivesFrom(req.headers['cache-control']) });
    if (abort.signal.aborted) return;
    sendJson(res, toWireEmbeddings(result), gatewayHeaders(result, facts.report));
  };
}
