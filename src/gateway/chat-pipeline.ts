/**
 * The chat request path: rate limit -> cache -> coalesce -> resilient execution -> cache write ->
 * usage. REST and GraphQL reach it through GatewayService and see only its results.
 */
import type { ResponseCache } from '../cache/response-cache.js';
import { GatewayError } from '../errors.js';
import type { ClientRateLimiter } from '../limits/client-rate-limiter.js';
import { estimatePromptTokens, estimateTokens } from '../limits/token-estimate.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';
import type { SpendTracker } from '../auth/spend-tracker.js';
import { RequestAccounting, type PreparedRequest } from './request-accounting.js';
import { filterChunks, filterResult } from '../output/filter-chunks.js';
import type { OutputFilter } from '../output/output-filter.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { allowedSteps, checkInputLimits, imageSafeSteps, reserveBudget, type InputLimits } from './request-policy.js';
import type { ChatChunk, ChatCompletionCommand, ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import { CompletionAssembler, completionAsParts } from './completion-assembler.js';
import { targetNames } from './deployments.js';
import type { ModelRouter } from './model-router.js';
import { partsToChunks } from './parts-to-chunks.js';
import type { RequestCoalescer } from './request-coalescer.js';
import type { ResilientExecutor } from './resilient-executor.js';

export interface ChatPipelineDeps {
  router: ModelRouter;
  executor: ResilientExecutor;
  coalescer: RequestCoalescer;
  cache: ResponseCache | undefined;
  limiter: ClientRateLimiter | undefined;
  usage: UsageRecorder | undefined;
  spend: SpendTracker;
  inputLimits: InputLimits;
  outputFilter: OutputFilter;
  metrics?: GatewayMetrics;
  /** Copy prompt and completion text into the request report (LOG_CONTENT). */
  logContent?: boolean;
  isShuttingDown?: () => boolean;
  now: () => number;
  /** How long a budget reservation may be held: a replica that dies holds nothing for longer. */
  budgetHoldMs: number;
}

/** Without authentication every client shares one cache namespace. */
const OPEN_TENANT = 'default';

export class ChatPipeline {
  private readonly accounting: RequestAccounting;

  constructor(private readonly deps: ChatPipelineDeps) {
    this.accounting = new RequestAccounting({ usage: deps.usage, spend: deps.spend, ...(deps.metrics === undefined ? {} : { metrics: deps.metrics }), ...(deps.logContent === undefined ? {} : { logContent: deps.logContent }) });
  }

  async complete(command: ChatCompletionCommand, context: RequestContext): Promise<ChatCompletionResult> {
    const result = await this.completeUnfiltered(command, context);
    return this.deps.outputFilter.active ? filterResult(result, this.deps.outputFilter) : result;
  }

  stream(command: ChatCompletionCommand, context: RequestContext): AsyncGenerator<ChatChunk> {
    const chunks = this.streamUnfiltered(command, context);
    return this.deps.outputFilter.active ? filterChunks(chunks, this.deps.outputFilter) : chunks;
  }

  private async completeUnfiltered(command: ChatCompletionCommand, context: RequestContext): Promise<ChatCompletionResult> {
    const prepared = await this.prepare(command, context);
    try {
      return await this.completePrepared(prepared, context);
    } catch (error) {
      this.accounting.release(prepared);
      throw error;
    }
  }

  private async completePrepared(prepared: PreparedRequest, context: RequestContext): Promise<ChatCompletionResult> {
    const { cacheKey, command } = prepared;
    if (cacheKey !== undefined && prepared.readCache) {
      const hit = await this.deps.cache?.read(cacheKey);
      if (hit !== undefined) return this.accounting.servedFromCache(hit, context, prepared);
    }
    const execute = (signal: AbortSignal) => this.deps.executor.complete(prepared.steps, command, { ...context, signal });
    let result: ChatCompletionResult;
    let coalesced = false;
    if (cacheKey === undefined) {
      result = await execute(context.signal);
    } else {
      ({ value: result, coalesced } = await this.deps.coalescer.call(cacheKey, context.signal, execute));
      if (context.report !== undefined) context.report.coalesced = coalesced;
      if (!coalesced && prepared.writeCache) await this.deps.cache?.write(cacheKey, result);
    }
    const served: ChatCompletionResult = { ...result, cacheStatus: cacheKey !== undefined && prepared.readCache ? 'MISS' : 'BYPASS' };
    this.accounting.finish(served, context, prepared, coalesced);
    return served;
  }

  private async *streamUnfiltered(command: ChatCompletionCommand, context: RequestContext): AsyncGenerator<ChatChunk> {
    const prepared = await this.prepare(command, context);
    const { cacheKey } = prepared;
    if (cacheKey !== undefined && prepared.readCache) {
      const hit = await this.deps.cache?.read(cacheKey);
      if (hit !== undefined) {
        yield* partsToChunks(completionAsParts(hit), {
          provider: hit.provider,
          requestedModel: hit.model,
          attempts: 0,
          cacheStatus: 'HIT',
          includeUsageChunk: context.includeUsageChunk === true,
          now: this.deps.now,
          idPrefix: 'chatcmpl',
        });
        this.accounting.servedFromCache(hit, context, prepared);
        return;
      }
    }
    const cacheStatus = cacheKey !== undefined && prepared.readCache ? 'MISS' : 'BYPASS';
    const start = (signal: AbortSignal) => this.deps.executor.stream(prepared.steps, command, { ...context, signal });
    // Chunk shapes depend on include_usage, so only streams that asked the same share a flight.
    const source =
      cacheKey === undefined
        ? { chunks: start(context.signal), coalesced: false, paysForFlight: () => true }
        : this.deps.coalescer.stream(`${cacheKey}:stream:${context.includeUsageChunk === true}`, context.signal, start);
    if (context.report !== undefined) context.report.coalesced = source.coalesced;
    const assembler = new CompletionAssembler();
    let recorded = false;
    try {
      for await (const chunk of source.chunks) {
        assembler.add(chunk);
        yield { ...chunk, cacheStatus };
      }
      const assembled = assembler.result();
      if (assembled === undefined) return;
      const result: ChatCompletionResult = { ...assembled, cacheStatus };
      if (cacheKey !== undefined && prepared.writeCache && !source.coalesced) await this.deps.cache?.write(cacheKey, result);
      recorded = true;
      this.accounting.finish(result, context, prepared, !source.paysForFlight());
    } finally {
      // The client left, a filter stopped the stream, or it failed: the provider billed what it produced.
      if (!recorded) {
        if (source.coalesced) this.accounting.release(prepared);
        else this.accounting.finishPartial(assembler.partial(estimatePromptTokens(command)), context, prepared);
      }
    }
  }

  private async prepare(command: ChatCompletionCommand, context: RequestContext): Promise<PreparedRequest> {
    if (this.deps.isShuttingDown?.() === true) {
      throw new GatewayError('shutting_down', 'This replica is shutting down and takes no new requests. Retry.');
    }
    checkInputLimits(command, this.deps.inputLimits);
    const limits = context.principal?.kind === 'client' ? context.principal.limits : undefined;
    const steps = imageSafeSteps(allowedSteps(this.deps.router.resolve(command.model), limits, command), command);
    const keyId = context.principal?.kind === 'client' ? context.principal.keyId : OPEN_TENANT;
    const admission = await this.deps.limiter?.admit(context.clientId, estimateTokens(command), limits);
    const budget = await reserveBudget(context.principal, this.deps.spend, this.accounting.estimateCostUsd(command, steps, keyId), this.deps.budgetHoldMs);
    if (context.report !== undefined && admission?.requests !== undefined) context.report.rateLimit = admission.requests;
    const cache = this.deps.cache;
    const cacheable = cache !== undefined && cache.isCacheable(command);
    return {
      command,
      steps,
      admission,
      budget,
      cacheKey: cacheable ? cache.key(context.principal?.kind === 'client' ? context.principal.keyId : OPEN_TENANT, targetNames(steps), command) : undefined,
      readCache: cacheable && context.cache?.noCache !== true,
      writeCache: cacheable && context.cache?.noStore !== true,
    };
  }
}
