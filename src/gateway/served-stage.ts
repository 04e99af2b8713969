/**
 * A served chat stream's chunks on their way to the client, assembled for the cache and the
 * accounting at the stream's end.
 */
import type { ResponseCache } from '../cache/response-cache.js';
import { estimatePromptTokens } from '../limits/token-estimate.js';
import type { Stage } from '../streams/stage-flow.js';
import type { ChatChunk, ChatCompletionCommand, ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import { CompletionAssembler } from './completion-assembler.js';
import { servedChat, type PreparedRequest, type RequestAccounting } from './request-accounting.js';

export interface StreamSource {
  chunks: AsyncIterable<ChatChunk>;
  coalesced: boolean;
  paysForFlight: () => boolean;
}

export function alwaysPays(): boolean {
  return true;
}

/**
 * Each chunk of a served stream on its way: assembled for the cache and the accounting at its end.
 * A class rather than a stage of closures made per stream: V8 keeps a closure's optimized code
 * only while a closure that ran it is alive, and most instances of a closure that runs at a
 * stream's end have not run yet, so its body was compiled again after every full collection
 * (bench/README.md, "Eleventh pass").
 */
export class ServedStage implements Stage<ChatChunk, ChatChunk> {
  private readonly cacheStatus: 'MISS' | 'BYPASS';
  private readonly assembler: CompletionAssembler;
  /** Where the finished answer is cached; undefined when it is not (no key, no store, or a shared flight's follower). */
  private readonly cacheKeyToWrite: string | undefined;
  private recorded = false;

  constructor(
    private readonly cache: ResponseCache | undefined,
    private readonly accounting: RequestAccounting,
    private readonly prepared: PreparedRequest & { command: ChatCompletionCommand },
    private readonly context: RequestContext,
    private readonly source: StreamSource,
  ) {
    this.cacheStatus = prepared.cacheKey !== undefined && prepared.readCache ? 'MISS' : 'BYPASS';
    this.cacheKeyToWrite = cache !== undefined && prepared.writeCache && !source.coalesced ? prepared.cacheKey : undefined;
    // The text is kept only for whoever reads it at the end: the cache write and LOG_CONTENT's report.
    this.assembler = new CompletionAssembler(this.cacheKeyToWrite !== undefined || accounting.reportsContent);
  }

  item(chunk: ChatChunk, emit: (chunk: ChatChunk) => void): void {
    this.assembler.add(chunk);
    const { cacheStatus } = this;
    // A copy only when the status differs: a copy per token is measurable, and chunks of a shared flight must not be mutated.
    emit(chunk.cacheStatus === cacheStatus ? chunk : { ...chunk, cacheStatus });
  }

  async end(): Promise<void> {
    const assembled = this.assembler.result();
    if (assembled === undefined) return;
    const { prepared, source } = this;
    const result: ChatCompletionResult = { ...assembled, cacheStatus: this.cacheStatus };
    if (this.cacheKeyToWrite !== undefined) await this.cache?.write(this.cacheKeyToWrite, result);
    this.recorded = true;
    this.accounting.finish(servedChat(result), this.context, prepared, !source.paysForFlight());
  }

  /** The client left, a filter stopped the stream, or it failed: the provider billed what it produced. */
  settle(): void {
    if (this.recorded) return;
    const { prepared } = this;
    if (this.source.coalesced) this.accounting.release(prepared);
    else this.accounting.finishPartial(this.assembler.partial(estimatePromptTokens(prepared.command)), this.context, prepared);
  }
}
