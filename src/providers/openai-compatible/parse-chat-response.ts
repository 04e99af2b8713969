/** A non-streaming OpenAI-compatible response body -> ChatResponse. */
import { GatewayError } from '../../errors.js';
import type { ChatResponse, ToolCall } from '../types.js';
import { mapFinishReason } from './map-finish-reason.js';
import { findWireError, mapInBandError, type UpstreamErrorSource } from './map-upstream-error.js';
import { mapUsage } from './map-usage.js';
import { choiceExtras, messageExtras, responseExtras } from './pass-through-fields.js';
import type { WireCompletion, WireToolCall } from './wire-types.js';

function toToolCalls(calls: WireToolCall[] | null | undefined): ToolCall[] {
  if (!Array.isArray(calls)) return [];
  return calls.map((call, index) => ({
    id: call.id ?? `call_${index}`,
    name: call.function?.name ?? '',
    arguments: call.function?.arguments ?? '',
  }));
}

export function parseChatResponse(source: UpstreamErrorSource, bodyText: string, now: () => number): ChatResponse {
  let body: WireCompletion;
  try {
    // DeepSeek sends blank lines while a slow request runs; JSON.parse skips the leading whitespace.
    body = JSON.parse(bodyText) as WireCompletion;
  } catch {
    throw new GatewayError('upstream_unavailable', `Provider ${source.providerId} sent a response that is not JSON.`, {
      provider: source.providerId,
    });
  }
  // OpenRouter reports failures that happen after it accepted the request inside a 200 body.
  const wireError = findWireError(body) ?? body.choices?.[0]?.error;
  if (wireError !== undefined) throw mapInBandError(source, wireError, false);

  const choice = body.choices?.[0];
  if (choice === undefined || choice.message === undefined) {
    throw new GatewayError('upstream_unavailable', `Provider ${source.providerId} sent a response without choices.`, {
      provider: source.providerId,
    });
  }
  const message = choice.message;
  const reasoning = message.reasoning ?? message.reasoning_content ?? null;
  return {
    id: body.id ?? `gen-${now()}`,
    created: body.created ?? Math.floor(now() / 1000),
    model: body.model ?? '',
    content: typeof message.content === 'string' ? message.content : null,
    reasoning: typeof reasoning === 'string' && reasoning !== '' ? reasoning : null,
    toolCalls: toToolCalls(message.tool_calls),
    finishReason: mapFinishReason(choice.finish_reason) ?? 'stop',
    usage: mapUsage(body.usage),
    extra: { response: responseExtras(body), choice: choiceExtras(choice), message: messageExtras(message) },
  };
}
