/**
 * Chat results -> OpenAI wire bodies, typed by the OpenAPI spec. Fields the provider sent that the
 * gateway does not own are written first, exactly as they came (`system_fingerprint`,
 * `service_tier`, OpenRouter's `provider`, `refusal`, `annotations`, `logprobs`, usage details);
 * the gateway's own routing facts go in `x_gateway` and the `X-Gateway-*` headers.
 */
import type { PassThrough, TokenUsage } from '../vocabulary/chat-request.js';
import type { ChatChunk, ChatCompletionResult, ChatChunkChoiceResult } from '../vocabulary/chat-results.js';
import type { ChatCompletionBody, ChatCompletionChunkBody, GatewayFactsBody, UsageBody } from './openai-wire-types.js';

type Details = Record<string, unknown> | undefined;

function details(wire: PassThrough | undefined, name: string): Details {
  const value = wire?.[name];
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The provider's usage object, with the gateway's counts (DeepSeek's cache counters included) written over it. */
export function toWireUsage(usage: TokenUsage): UsageBody {
  const body: UsageBody = { ...usage.wire, prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.totalTokens };
  const promptDetails = details(usage.wire, 'prompt_tokens_details');
  const completionDetails = details(usage.wire, 'completion_tokens_details');
  if (usage.cachedTokens !== undefined && usage.cachedTokens !== null) body.prompt_tokens_details = { ...promptDetails, cached_tokens: usage.cachedTokens };
  if (usage.reasoningTokens !== undefined && usage.reasoningTokens !== null) body.completion_tokens_details = { ...completionDetails, reasoning_tokens: usage.reasoningTokens };
  if (usage.cost !== undefined && usage.cost !== null) body.cost = usage.cost;
  return body;
}

function gatewayFacts(served: Pick<ChatCompletionResult, 'provider' | 'attempts' | 'cacheStatus'>): GatewayFactsBody {
  return { provider: served.provider, attempts: served.attempts, cache: served.cacheStatus };
}

export function toWireCompletion(result: ChatCompletionResult): ChatCompletionBody {
  const body: ChatCompletionBody = {
    ...result.extra,
    id: result.id,
    object: 'chat.completion',
    created: result.created,
    model: result.model,
    choices: result.choices.map((choice) => {
      const message: ChatCompletionBody['choices'][number]['message'] = { ...choice.message.extra, role: 'assistant', content: choice.message.content };
      if (choice.message.reasoning !== null) message.reasoning = choice.message.reasoning;
      if (choice.message.toolCalls.length > 0) {
        message.tool_calls = choice.message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
      }
      return { logprobs: null, ...choice.extra, index: choice.index, message, finish_reason: choice.finishReason };
    }),
    x_gateway: gatewayFacts(result),
  };
  if (result.usage !== null) body.usage = toWireUsage(result.usage);
  return body;
}

function toWireDelta(choice: ChatChunkChoiceResult): ChatCompletionChunkBody['choices'][number]['delta'] {
  const delta: ChatCompletionChunkBody['choices'][number]['delta'] = { ...choice.delta.extra };
  if (choice.delta.role !== undefined) delta.role = choice.delta.role;
  if (choice.delta.content !== undefined) delta.content = choice.delta.content;
  if (choice.delta.reasoning !== undefined) delta.reasoning = choice.delta.reasoning;
  if (choice.delta.toolCalls !== undefined) {
    delta.tool_calls = choice.delta.toolCalls.map((call) => {
      const wire: NonNullable<typeof delta.tool_calls>[number] = { index: call.index };
      if (call.id !== undefined) {
        wire.id = call.id;
        wire.type = 'function';
      }
      if (call.name !== undefined || call.argumentsDelta !== undefined) {
        wire.function = {};
        if (call.name !== undefined) wire.function.name = call.name;
        if (call.argumentsDelta !== undefined) wire.function.arguments = call.argumentsDelta;
      }
      return wire;
    });
  }
  return delta;
}

/**
 * `usage` appears as OpenAI sends it: only when the client asked for `stream_options.include_usage`,
 * then `null` on every chunk but the last, which carries it with no choices.
 */
export function toWireChunk(chunk: ChatChunk, includeUsage: boolean): ChatCompletionChunkBody {
  const body: ChatCompletionChunkBody = {
    ...chunk.extra,
    id: chunk.id,
    object: 'chat.completion.chunk',
    created: chunk.created,
    model: chunk.model,
    choices: chunk.choices.map((choice) => ({ ...choice.extra, index: choice.index, delta: toWireDelta(choice), finish_reason: choice.finishReason })),
    x_gateway: gatewayFacts(chunk),
  };
  if (includeUsage) body.usage = chunk.usage === null ? null : toWireUsage(chunk.usage);
  return body;
}

/**
 * Chunks as the JSON text of OpenAI's chunk bodies, each between `before` and `after` (an SSE
 * event's framing). A chunk the provider sent that says all the gateway's chunk says (its
 * `verbatim`) goes on as the provider wrote it, with `x_gateway` (and include_usage's
 * `usage: null`) added, instead of being built and serialised again: a streamed token's second
 * serialisation was a measurable part of its cost (bench/README.md, "Performance work").
 */
export function chunkJsonWriter(includeUsage: boolean, before = '', after = ''): (chunk: ChatChunk) => string {
  const usageTail = includeUsage ? ',"usage":null}' : '}';
  // The text after a verbatim chunk's own fields, framing included, made once per set of facts: one concatenation per token.
  let tail: { provider: string; attempts: number; cache: string; text: string } | undefined;
  const tailFor = (chunk: ChatChunk): string => {
    if (tail === undefined || tail.provider !== chunk.provider || tail.attempts !== chunk.attempts || tail.cache !== chunk.cacheStatus) {
      tail = { provider: chunk.provider, attempts: chunk.attempts, cache: chunk.cacheStatus, text: `,"x_gateway":${JSON.stringify(gatewayFacts(chunk))}${usageTail}${after}` };
    }
    return tail.text;
  };
  return (chunk) => {
    const verbatim = chunk.verbatim;
    const choice = chunk.choices.length === 1 ? chunk.choices[0] : undefined;
    if (verbatim === undefined || choice?.delta !== verbatim.delta || choice.finishReason !== null || chunk.usage !== null) {
      return before + JSON.stringify(toWireChunk(chunk, includeUsage)) + after;
    }
    return before + verbatim.json.slice(0, -1) + tailFor(chunk);
  };
}
