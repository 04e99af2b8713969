/**
 * The chat request path: rate limit -> cache -> coalesce -> resilient execution -> cache write ->
 * usage. REST and GraphQL reach it through GatewayService and see only its results.
 */
import type { ResponseCache } from '../cache/response-cache.js';
import type { Attributes } from '@opentelemetry/api';
import { GatewayError, toGatewayError } from '../errors.js';
import type { TraceSpan, Tracing } from '../observability/tracing.js';
import type { Admission, ClientRateLimiter } from '../limits/client-rate-limiter.js';
import { estimateTokens } from '../limits/token-estimate.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';
import type { SpendReservation, SpendTracker } from '../auth/spend-tracker.js';
import { RequestAccounting, servedChat, type PreparedRequest } from './request-accounting.js';
import { filterChunks, filterResult } from '../output/filter-chunks.js';
import type { OutputFilter } from '../output/output-filter.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { allowedSteps, checkInputLimits, imageSafeSteps, reserveBudget, type InputLimits, tenantOf } from './request-policy.js';
import type { ChatChunk, ChatCompletionCommand, ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import { CompletionAssembler, completionAsParts } from './completion-assembler.js';
import { targetNames, type RouteStep } from './deployments.js';
import type { ModelRouter } from './model-router.js';
import { partsToChunks } from './parts-to-chunks.js';
import { asFlow, type Flow } from '../streams/flow.js';
import { LazyFlow } from '../streams/lazy-flow.js';
import { StageFlow, watchFlow } from '../streams/stage-flow.js';
import { alwaysPays, ServedStage, type StreamSource } from './served-stage.js';
import type { RequestCoalescer } from './request-coalescer.js';
import type { ExecutionContext, ResilientExecutor } from './resilient-executor.js';

export interface ChatPipelineDeps {
  router: ModelRouter;
  executor: ResilientExecutor;
  /** Shared with every surface: usage, spend and reports are kept one way. */
  accounting: RequestAccounting;
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
  tracing?: Tracing;
}

/** The GenAI semantic conventions' response attributes. */
function responseAttributes(result: ChatCompletionResult, content: boolean): Attributes {
  const attributes: Attributes = { 'gen_ai.provider.name': result.provider, 'gen_ai.response.model': result.model, 'gen_ai.response.id': result.id };
  if (result.usage !== null) {
    attributes['gen_ai.usage.input_tokens'] = result.usage.promptTokens;
    attributes['gen_ai.usage.output_tokens'] = result.usage.completionTokens;
  }
  const finish = result.choices[0]?.finishReason;
  if (finish !== undefined) attributes['gen_ai.response.finish_reasons'] = [finish];
  if (content) attributes['gen_ai.output.messages'] = JSON.stringify(result.choices.map((choice) => choice.message));
  return attributes;
}

/** The request's context as the executor takes it: the request's own when nothing differs (no copy per request). */
function executionContext(context: RequestContext, signal: AbortSignal, span: TraceSpan | undefined): ExecutionContext {
  if (signal === context.signal && span === undefined) return context;
  return { ...context, signal, ...(span === undefined ? {} : { span }) };
}

/** A chat request admitted: its command beside what every surface prepares. */
type PreparedChat = PreparedRequest & { command: ChatCompletionCommand };

export class ChatPipeline {
  private readonly accounting: RequestAccounting;

  constructor(private readonly deps: ChatPipelineDeps) {
    this.accounting = deps.accounting;
  }

  async complete(command: ChatCompletionCommand, context: RequestContext): Promise<ChatCompletionResult> {
    const span = this.startSpan(command, context);
    try {
      const preparing = this.prepare(command, context);
      const prepared = preparing instanceof Promise ? await preparing : preparing;
      let unfiltered: ChatCompletionResult;
      try {
        unfiltered = await this.completePrepared(prepared, context, span);
      } catch (error) {
        this.accounting.release(prepared);
        throw error;
      }
      const result = this.deps.outputFilter.active ? filterResult(unfiltered, this.deps.outputFilter) : unfiltered;
      span?.set(responseAttributes(result, this.deps.tracing?.settings.content === true));
      span?.end();
      return result;
    } catch (error) {
      span?.end(toGatewayError(error).code);
      throw error;
    }
  }

  stream(command: ChatCompletionCommand, context: RequestContext): Flow<ChatChunk> {
    const span = this.startSpan(command, context);
    const unfiltered = this.streamUnfiltered(command, context, span);
    const chunks = this.deps.outputFilter.active ? filterChunks(unfiltered, this.deps.outputFilter) : unfiltered;
    return span === undefined ? chunks : this.traced(chunks, span);
  }

  /** Ends the request's span with what the stream produced, however it ended. */
  private traced(chunks: Flow<ChatChunk>, span: TraceSpan): Flow<ChatChunk> {
    const assembler = new CompletionAssembler(this.deps.tracing?.settings.content === true);
    let errorType: string | undefined;
    return new StageFlow(chunks, {
      item: (chunk: ChatChunk, emit: (chunk: ChatChunk) => void) => {
        assembler.add(chunk);
        emit(chunk);
      },
      fail: (error) => {
        errorType = toGatewayError(error).code;
        return error;
      },
      settle: () => {
        const result = assembler.partial(0);
        if (result !== undefined) span.set(responseAttributes(result, this.deps.tracing?.settings.content === true));
        span.end(errorType);
      },
    });
  }

  /** The request's span: only when tracing is on or the client sent a traceparent to forward. */
  private startSpan(command: ChatCompletionCommand, context: RequestContext): TraceSpan | undefined {
    const tracing = this.deps.tracing;
    if (tracing === undefined || (!tracing.settings.enabled && context.traceparent === undefined)) return undefined;
    const model = command.model ?? 'default';
    const attributes: Attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model, 'gateway.request_id': context.requestId };
    if (tracing.settings.content) attributes['gen_ai.input.messages'] = JSON.stringify(command.messages);
    return tracing.startRequest(`chat ${model}`, attributes, context.traceparent);
  }

  private async completePrepared(prepared: PreparedChat, context: RequestContext, span: TraceSpan | undefined): Promise<ChatCompletionResult> {
    const { cacheKey, command } = prepared;
    if (cacheKey !== undefined && prepared.readCache) {
      const hit = await this.deps.cache?.read(cacheKey);
      if (hit !== undefined) {
        this.accounting.servedFromCache(servedChat(hit), context, prepared);
        return { ...hit, attempts: 0, cacheStatus: 'HIT' };
      }
    }
    const execute = (signal: AbortSignal) => this.deps.executor.complete(prepared.steps, command, executionContext(context, signal, span));
    let result: ChatCompletionResult;
    let coalesced = false;
    if (cacheKey === undefined) {
      result = await execute(context.signal);
    } else {
      ({ value: result, coalesced } = await this.deps.coalescer.call(cacheKey, context.signal, execute));
      if (context.report !== undefined) context.report.coalesced = coalesced;
      if (!coalesced && prepared.writeCache) await this.deps.cache?.write(cacheKey, result);
    }
    const cacheStatus = cacheKey !== undefined && prepared.readCache ? 'MISS' : 'BYPASS';
    // A shared flight's result is copied, never changed; a result that already says so is used as it is.
    const served: ChatCompletionResult = result.cacheStatus === cacheStatus ? result : { ...result, cacheStatus };
    this.accounting.finish(servedChat(served), context, prepared, coalesced);
    return served;
  }

  private streamUnfiltered(command: ChatCompletionCommand, context: RequestContext, span: TraceSpan | undefined): Flow<ChatChunk> {
    // Bound, not a closure: see ServedStage.
    return new LazyFlow(this.openStream.bind(this, command, context, span));
  }

  private async openStream(command: ChatCompletionCommand, context: RequestContext, span: TraceSpan | undefined): Promise<Flow<ChatChunk>> {
    const preparing = this.prepare(command, context);
    const prepared = preparing instanceof Promise ? await preparing : preparing;
    const { cacheKey } = prepared;
    if (cacheKey !== undefined && prepared.readCache) {
      const hit = await this.deps.cache?.read(cacheKey);
      if (hit !== undefined) return this.replay(hit, context, prepared);
    }
    const start = (signal: AbortSignal) => this.deps.executor.stream(prepared.steps, command, executionContext(context, signal, span));
    // Chunk shapes depend on include_usage, so only streams that asked the same share a flight.
    const source: StreamSource =
      cacheKey === undefined
        ? { chunks: start(context.signal), coalesced: false, paysForFlight: alwaysPays }
        : this.deps.coalescer.stream(`${cacheKey}:stream:${context.includeUsageChunk === true}`, context.signal, start);
    if (context.report !== undefined) context.report.coalesced = source.coalesced;
    return new StageFlow(asFlow(source.chunks), new ServedStage(this.deps.cache, this.accounting, prepared, context, source));
  }

  /** A cached answer replayed as a stream; it counts as served once the client has had all of it. */
  private replay(hit: ChatCompletionResult, context: RequestContext, prepared: PreparedChat): Flow<ChatChunk> {
    const chunks = partsToChunks(completionAsParts(hit), {
      provider: hit.provider,
      requestedModel: hit.model,
      attempts: 0,
      cacheStatus: 'HIT',
      includeUsageChunk: context.includeUsageChunk === true,
      now: this.deps.now,
      idPrefix: 'chatcmpl',
    });
    return watchFlow(chunks, { end: () => this.accounting.servedFromCache(servedChat(hit), context, prepared) });
  }

  /**
   * Admits the request and resolves its route. Synchronous when nothing has to be waited for (no
   * limit applies to it, no budget): most requests then wait no turn before their upstream call.
   */
  private prepare(command: ChatCompletionCommand, context: RequestContext): PreparedChat | Promise<PreparedChat> {
    if (this.deps.isShuttingDown?.() === true) {
      throw new GatewayError('shutting_down', 'This replica is shutting down and takes no new requests. Retry.');
    }
    checkInputLimits(command, this.deps.inputLimits);
    const limits = context.principal?.kind === 'client' ? context.principal.limits : undefined;
    const steps = imageSafeSteps(allowedSteps(this.deps.router.resolve(command.model), limits, command.providerOptions), command);
    const admitting = this.deps.limiter?.admit(context.clientId, estimateTokens(command), limits);
    return admitting instanceof Promise ? admitting.then((admission) => this.reserve(command, context, steps, admission)) : this.reserve(command, context, steps, admitting);
  }

  /** An admitted request's budget reservation, when its key has a budget, then what it is served with. */
  private reserve(command: ChatCompletionCommand, context: RequestContext, steps: readonly RouteStep[], admission: Admission | undefined): PreparedChat | Promise<PreparedChat> {
    const keyId = tenantOf(context.principal);
    const reserving = reserveBudget(context.principal, this.deps.spend, () => this.accounting.estimateCostUsd(command, steps, keyId), this.deps.budgetHoldMs);
    return reserving === undefined ? this.prepared(command, context, steps, admission, undefined) : reserving.then((budget) => this.prepared(command, context, steps, admission, budget));
  }

  private prepared(command: ChatCompletionCommand, context: RequestContext, steps: readonly RouteStep[], admission: Admission | undefined, budget: SpendReservation | undefined): PreparedChat {
    if (context.report !== undefined && admission?.requests !== undefined) context.report.rateLimit = admission.requests;
    const cache = this.deps.cache;
    const cacheable = cache !== undefined && cache.isCacheable(command);
    return {
      prompt: command.messages,
      command,
      steps,
      admission,
      budget,
      cacheKey: cacheable ? cache.key(tenantOf(context.principal), targetNames(steps), command) : undefined,
      readCache: cacheable && context.cache?.noCache !== true,
      writeCache: cacheable && context.cache?.noStore !== true,
      startedAt: performance.now(),
    };
  }
}
