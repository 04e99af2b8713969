/**
 * The chat request path: rate limit -> cache -> coalesce -> resilient execution -> cache write ->
 * usage. REST and GraphQL reach it through GatewayService and see only its results.
 */
import type { ResponseCache } from '../cache/response-cache.js';
import { GatewayError } from '../errors.js';
import type { ClientRateLimiter, Admission } from '../limits/client-rate-limiter.js';
import { estimatePromptTokens, estimateTokens } from '../limits/token-estimate.js';
import { countersFor, type UsageRecorder } from '../usage/usage-recorder.js';
import type { SpendTracker } from '../auth/spend-tracker.js';
import { filterChunks, filterResult } from '../output/filter-chunks.js';
import type { OutputFilter } from '../output/output-filter.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { allowedSteps, checkBudget, checkInputLimits, type InputLimits } from './request-policy.js';
import type { ChatChunk, ChatCompletionCommand, ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import { CompletionAssembler, completionAsParts } from './completion-assembler.js';
import { targetNames, type Deployment, type RouteStep } from './deployments.js';
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
}

/** Without authentication every client shares one cache namespace. */
const OPEN_TENANT = 'default';

interface Prepared {
  command: ChatCompletionCommand;
  steps: RouteStep[];
  admission: Admission | undefined;
  /** Set when the request may be served from and written to the cache. */
  cacheKey: string | undefined;
  readCache: boolean;
  writeCache: boolean;
}

function totalTokens(result: Pick<ChatCompletionResult, 'usage'> | undefined): number {
  return result?.usage?.totalTokens ?? 0;
}

export class ChatPipeline {
  constructor(private readonly deps: ChatPipelineDeps) {}

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
    const { cacheKey } = prepared;
    if (cacheKey !== undefined && prepared.readCache) {
      const hit = await this.deps.cache?.read(cacheKey);
      if (hit !== undefined) return this.servedFromCache(hit, context, prepared);
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
    this.finish(served, context, prepared, coalesced);
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
        this.servedFromCache(hit, context, prepared);
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
      this.finish(result, context, prepared, !source.paysForFlight());
    } finally {
      // The client left, a filter stopped the stream, or it failed: the provider billed what it produced.
      if (!recorded && !source.coalesced) this.finishPartial(assembler.partial(estimatePromptTokens(command)), context, prepared);
    }
  }

  private async prepare(command: ChatCompletionCommand, context: RequestContext): Promise<Prepared> {
    if (this.deps.isShuttingDown?.() === true) {
      throw new GatewayError('shutting_down', 'This replica is shutting down and takes no new requests. Retry.');
    }
    checkInputLimits(command, this.deps.inputLimits);
    const limits = context.principal?.kind === 'client' ? context.principal.limits : undefined;
    const steps = allowedSteps(this.deps.router.resolve(command.model), limits, command);
    await checkBudget(context.principal, this.deps.spend);
    const admission = await this.deps.limiter?.admit(context.clientId, estimateTokens(command), limits);
    if (context.report !== undefined && admission?.requests !== undefined) context.report.rateLimit = admission.requests;
    const cache = this.deps.cache;
    const cacheable = cache !== undefined && cache.isCacheable(command);
    return {
      command,
      steps,
      admission,
      cacheKey: cacheable ? cache.key(context.principal?.kind === 'client' ? context.principal.keyId : OPEN_TENANT, targetNames(steps), command) : undefined,
      readCache: cacheable && context.cache?.noCache !== true,
      writeCache: cacheable && context.cache?.noStore !== true,
    };
  }

  private servedFromCache(hit: ChatCompletionResult, context: RequestContext, prepared: Prepared): ChatCompletionResult {
    prepared.admission?.settle(0);
    this.deps.metrics?.countCache('hit');
    this.report(context, { ...hit, attempts: 0, cacheStatus: 'HIT' }, prepared.command);
    this.deps.usage?.record({
      client: context.clientId,
      provider: hit.provider,
      model: this.servingDeployment(prepared.steps, hit)?.upstreamModel ?? hit.model,
      usage: hit.usage,
      cacheHit: true,
    });
    return { ...hit, attempts: 0, cacheStatus: 'HIT' };
  }

  /** A request that shared another's upstream call costs no tokens: it is recorded like a cache hit. */
  private finish(result: ChatCompletionResult, context: RequestContext, prepared: Prepared, coalesced: boolean): void {
    prepared.admission?.settle(coalesced ? 0 : totalTokens(result));
    this.deps.metrics?.countCache(result.cacheStatus === 'MISS' ? 'miss' : 'bypass');
    if (coalesced) this.deps.metrics?.countCoalesced();
    this.report(context, result, prepared.command);
    const target = this.servingDeployment(prepared.steps, result);
    const price = target === undefined ? undefined : priceOf(target);
    const counters = countersFor({ usage: result.usage, cacheHit: coalesced, ...(price === undefined ? {} : { price }) });
    if (context.principal?.kind === 'client') this.deps.spend.add(context.principal.keyId, counters.cost);
    if (!coalesced) this.deps.metrics?.countUsage(result.provider, target?.upstreamModel ?? result.model, result.usage, counters.cost);
    this.deps.usage?.record({
      client: context.clientId,
      provider: result.provider,
      // Usage is kept under the model the client asked for (resolved), not the provider's dated variant.
      model: target?.upstreamModel ?? result.model,
      usage: result.usage,
      cacheHit: coalesced,
      ...(price === undefined ? {} : { price }),
    });
  }

  /** A stream that ended early: the tokens the provider reported, or the gateway counted, are still charged. */
  private finishPartial(partial: ChatCompletionResult | undefined, context: RequestContext, prepared: Prepared): void {
    if (partial === undefined) {
      prepared.admission?.settle(0);
      return;
    }
    this.finish({ ...partial, cacheStatus: prepared.cacheKey !== undefined && prepared.readCache ? 'MISS' : 'BYPASS' }, context, prepared, false);
  }

  private report(context: RequestContext, result: ChatCompletionResult, command: ChatCompletionCommand): void {
    const report = context.report;
    if (report === undefined) return;
    report.served = { provider: result.provider, model: result.model, attempts: result.attempts, cacheStatus: result.cacheStatus };
    report.usage = result.usage;
    if (this.deps.logContent === true) report.content = { messages: command.messages, completion: result.choices[0]?.message.content ?? null };
  }

  /** The deployment that served the result; for a cached answer, the first of its provider on the route. */
  private servingDeployment(steps: readonly RouteStep[], result: Pick<ChatCompletionResult, 'provider' | 'deployment'>): Deployment | undefined {
    const deployments = steps.flatMap((step) => step.deployments);
    return deployments.find((candidate) => candidate.id === result.deployment) ?? deployments.find((candidate) => candidate.provider === result.provider);
  }
}

function priceOf(deployment: Deployment): { promptPerMillion: number; completionPerMillion: number } | undefined {
  const pricing = deployment.entry.config.pricing;
  return pricing !== undefined && Object.hasOwn(pricing, deployment.upstreamModel) ? pricing[deployment.upstreamModel] : undefined;
}
