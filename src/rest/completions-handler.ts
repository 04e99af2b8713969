/**
 * POST /v1/completions (legacy text completions), passed through on the same gateway path as chat:
 * the provider's answer, or each of its stream chunks, goes to the client as the provider sent it.
 */
import type { HttpRequest, HttpResponse } from '../http/http-exchange.js';
import { fromWireCompletionRequest, type CreateCompletionRequestBody } from '../contract/text-completions-wire.js';
import { passThroughEncoder, servePassThrough } from './pass-through-response.js';
import type { TranslatedChatDeps } from './translated-chat.js';

const completionsEncoder = passThroughEncoder('data: [DONE]\n\n', (error) => `data: ${JSON.stringify(error.toBody())}\n\n`);

export function createCompletionsHandler(deps: TranslatedChatDeps) {
  return async (req: HttpRequest, res: HttpResponse): Promise<void> => {
    const { command, stream } = fromWireCompletionRequest(req.body as CreateCompletionRequestBody);
    await servePassThrough(req, res, deps, command, stream, completionsEncoder);
  };
}
