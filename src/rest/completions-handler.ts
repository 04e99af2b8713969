/**
 * POST /v1/completions (legacy text completions), passed through on the same gateway path as chat:
 * the provider's answer, or each of its stream chunks, goes to the client as the provider sent it.
 */
import type { Request, Response } from 'express';
import { fromWireCompletionRequest, type CreateCompletionRequestBody } from '../contract/text-completions-wire.js';
import type { GatewayError } from '../errors.js';
import type { ServedTextChunk } from '../gateway/text-completions-pipeline.js';
import { abortWhenClientLeaves } from '../http/client-abort-signal.js';
import { httpRequestFacts } from '../http/request-facts.js';
import type { ServedBy } from '../vocabulary/text-completions.js';
import { headerSafe } from './response-headers.js';
import { writeSseStream, type SseEncoder } from './sse-writer.js';
import type { TranslatedChatDeps } from './translated-chat.js';

function servedHeaders(served: ServedBy, model: string, rateLimit: ReturnType<typeof httpRequestFacts>['report']['rateLimit']): Record<string, string> {
  const headers: Record<string, string> = { 'X-Gateway-Provider': served.provider, 'X-Gateway-Deployment': headerSafe(served.deployment), 'X-Gateway-Model': headerSafe(model), 'X-Gateway-Attempts': String(served.attempts), 'X-Cache': 'BYPASS' };
  if (rateLimit !== undefined) Object.assign(headers, { 'RateLimit-Limit': String(rateLimit.limit), 'RateLimit-Remaining': String(rateLimit.remaining), 'RateLimit-Reset': String(rateLimit.resetSeconds) });
  return headers;
}

/** The provider's chunks as sent; a chunk kept only for accounting is not written. */
const passThroughEncoder: SseEncoder<ServedTextChunk> = {
  chunk: (chunk) => (Object.keys(chunk.body).length === 0 ? '' : `data: ${JSON.stringify(chunk.body)}\n\n`),
  end: () => 'data: [DONE]\n\n',
  error: (error: GatewayError) => `data: ${JSON.stringify(error.toBody())}\n\n`,
};

export function createCompletionsHandler(deps: TranslatedChatDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const { command, stream } = fromWireCompletionRequest(req.body as CreateCompletionRequestBody);
    const abort = abortWhenClientLeaves(res);
    const facts = httpRequestFacts(req, res);
    const context = { ...facts, signal: abort.signal };
    if (stream) {
      await writeSseStream(res, deps.gateway.streamTextCompletion(command, context), {
        heartbeatMs: deps.sseHeartbeatMs,
        abort,
        logger: deps.logger,
        requestId: facts.requestId,
        streams: deps.streams,
        encoder: passThroughEncoder,
        headersFor: (first) => servedHeaders(first.served, typeof first.body.model === 'string' ? first.body.model : (command.model ?? ''), facts.report.rateLimit),
      });
      return;
    }
    const result = await deps.gateway.createTextCompletion(command, context);
    if (abort.signal.aborted) return;
    res.set(servedHeaders(result.served, result.model, facts.report.rateLimit)).json(result.body);
  };
}
