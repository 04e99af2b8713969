/**
 * Provider stream parts -> OpenAI-shaped chunks. The assistant-role chunk is held back until the
 * first real token, so nothing reaches the client from an attempt that fails before producing any.
 * Fields the provider sent that the gateway does not own ride along on the chunk they came with;
 * those that came before the first token are held back with the role chunk.
 */
import { GatewayError } from '../errors.js';
import type { DeltaExtras, StreamPart } from '../providers/types.js';
import { asFlow, type Flow } from '../streams/flow.js';
import { StageFlow, type Stage } from '../streams/stage-flow.js';
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

/** Past this many, a provider sending fields and no token is answering: the stream commits rather than hold them all. */
const MOST_HELD_BEFORE_FIRST_TOKEN = 16;

/** The chunks of a stream, part by part; an error part is thrown, as is an end without a finish. */
class ChunkBuilder implements Stage<StreamPart, ChatChunk> {
  private id: string;
  private model: string;
  private created: number;
  private extra: PassThrough | undefined;
  private sentRole = false;
  /**
   * Chunks of fields only, from before the first token: OpenRouter's and DeepSeek's role chunks
   * carry `logprobs: null` beside the role, and emitting it would commit the attempt, so a provider
   * failing after its role chunk could no longer be fallen back from.
   */
  private beforeFirstToken: ChatChunk[] | undefined;
  private finished = false;

  constructor(private readonly source: ChunkSource) {
    this.id = `${source.idPrefix}-${source.now()}`;
    this.model = source.requestedModel;
    this.created = Math.floor(source.now() / 1000);
  }

  item(part: StreamPart, emit: (chunk: ChatChunk) => void): void {
    if (this.finished) return;
    switch (part.type) {
      case 'response-metadata':
        this.id = part.id ?? this.id;
        this.model = part.model ?? this.model;
        this.created = part.created ?? this.created;
        this.extra = part.extra ?? this.extra;
        return;
      case 'error':
        throw part.error;
      default:
        break;
    }
    if (!this.sentRole) {
      if (part.type === 'pass-through-delta' && (this.beforeFirstToken?.length ?? 0) < MOST_HELD_BEFORE_FIRST_TOKEN) {
        (this.beforeFirstToken ??= []).push(this.chunk({}, null, null, part.extra));
        return;
      }
      this.sentRole = true;
      emit(this.chunk({ role: 'assistant', content: '' }));
      if (this.beforeFirstToken !== undefined) for (const held of this.beforeFirstToken) emit(held);
      this.beforeFirstToken = undefined;
    }
    switch (part.type) {
      case 'text-delta': {
        const delta: ChatDeltaResult = { content: part.delta };
        const text = this.chunk(delta, null, null, part.extra);
        if (part.verbatim !== undefined) text.verbatim = { json: part.verbatim, delta };
        return emit(text);
      }
      case 'reasoning-delta':
        return emit(this.chunk({ reasoning: part.delta }));
      case 'pass-through-delta':
        return emit(this.chunk({}, null, null, part.extra));
      case 'tool-call-delta': {
        const { type: _type, ...call } = part;
        return emit(this.chunk({ toolCalls: [call] }));
      }
      case 'finish':
        this.finished = true;
        if (this.source.includeUsageChunk) {
          emit(this.chunk({}, part.finishReason, null, part.extra));
          emit({ ...this.chunk({}), choices: [], usage: part.usage });
        } else {
          emit(this.chunk({}, part.finishReason, part.usage, part.extra));
        }
    }
  }

  end(): void {
    if (this.finished) return;
    throw new GatewayError('upstream_stream_truncated', `Provider ${this.source.provider} ended the stream without finishing it.`, {
      provider: this.source.provider,
    });
  }

  // Built field by field: this runs once per token, and conditional spreads allocate a throwaway object each.
  private chunk(delta: ChatDeltaResult, finishReason: ChatChunkChoiceResult['finishReason'] = null, usage: TokenUsage | null = null, extras?: DeltaExtras): ChatChunk {
    if (extras?.delta !== undefined) delta.extra = extras.delta;
    const choice: ChatChunkChoiceResult = { index: 0, delta, finishReason };
    if (extras?.choice !== undefined) choice.extra = extras.choice;
    const result: ChatChunk = { id: this.id, created: this.created, model: this.model, provider: this.source.provider, attempts: this.source.attempts, cacheStatus: this.source.cacheStatus, choices: [choice], usage };
    if (this.source.deployment !== undefined) result.deployment = this.source.deployment;
    if (this.extra !== undefined) result.extra = this.extra;
    return result;
  }
}

export function partsToChunks(parts: AsyncIterable<StreamPart>, source: ChunkSource): Flow<ChatChunk> {
  return new StageFlow(asFlow(parts), new ChunkBuilder(source));
}
