/**
 * Provider stream parts -> OpenAI-shaped chunks. The assistant-role chunk is held back until the
 * first real token, so nothing reaches the client from an attempt that fails before producing any.
 * Fields the provider sent that the gateway does not own ride along on the chunk they came with.
 */
import { GatewayError } from '../errors.js';
import type { DeltaExtras, StreamPart } from '../providers/types.js';
import type { CacheStatus } from '../vocabulary/cache-directives.js';
import type { PassThrough, TokenUsage } from '../vocabulary/chat-request.js';
import type { ChatChunk, ChatChunkChoiceResult, ChatDeltaResult } from '../vocabulary/chat-results.js';

export interface ChunkSource {
  provider: string;
  /** The deployment that served it, for the `X-Gateway-Deployment` header; absent for cache replays of old entries. */
  deployment?: string;
  /** Used until the provider names the model it really ran. */
  requestedModel: string;
  attempts: number;
  cacheStatus: CacheStatus;
  includeUsageChunk: boolean;
  now: () => number;
  idPrefix: string;
}

export async function* partsToChunks(parts: AsyncIterable<StreamPart>, source: ChunkSource): AsyncGenerator<ChatChunk> {
  let id = `${source.idPrefix}-${source.now()}`;
  let model = source.requestedModel;
  let created = Math.floor(source.now() / 1000);
  let extra: PassThrough | undefined;
  let sentRole = false;

  // Built field by field: this runs once per token, and conditional spreads allocate a throwaway object each.
  const chunk = (delta: ChatDeltaResult, finishReason: ChatChunkChoiceResult['finishReason'] = null, usage: TokenUsage | null = null, extras?: DeltaExtras): ChatChunk => {
    if (extras?.delta !== undefined) delta.extra = extras.delta;
    const choice: ChatChunkChoiceResult = { index: 0, delta, finishReason };
    if (extras?.choice !== undefined) choice.extra = extras.choice;
    const result: ChatChunk = { id, created, model, provider: source.provider, attempts: source.attempts, cacheStatus: source.cacheStatus, choices: [choice], usage };
    if (source.deployment !== undefined) result.deployment = source.deployment;
    if (extra !== undefined) result.extra = extra;
    return result;
  };

  for await (const part of parts) {
    switch (part.type) {
      case 'response-metadata':
        id = part.id ?? id;
        model = part.model ?? model;
        created = part.created ?? created;
        extra = part.extra ?? extra;
        continue;
      case 'error':
        throw part.error;
      default:
        break;
    }
    if (!sentRole) {
      sentRole = true;
      yield chunk({ role: 'assistant', content: '' });
    }
    switch (part.type) {
      case 'text-delta': {
        const delta: ChatDeltaResult = { content: part.delta };
        const text = chunk(delta, null, null, part.extra);
        if (part.verbatim !== undefined) text.verbatim = { json: part.verbatim, delta };
        yield text;
        break;
      }
      case 'reasoning-delta':
        yield chunk({ reasoning: part.delta });
        break;
      case 'pass-through-delta':
        yield chunk({}, null, null, part.extra);
        break;
      case 'tool-call-delta': {
        const { type: _type, ...call } = part;
        yield chunk({ toolCalls: [call] });
        break;
      }
      case 'finish':
        if (source.includeUsageChunk) {
          yield chunk({}, part.finishReason, null, part.extra);
          yield { ...chunk({}), choices: [], usage: part.usage };
        } else {
          yield chunk({}, part.finishReason, part.usage, part.extra);
        }
        return;
    }
  }
  throw new GatewayError('upstream_stream_truncated', `Provider ${source.provider} ended the stream without finishing it.`, {
    provider: source.provider,
  });
}
