/**
 * What a request costs and who pays: the token reservation is corrected, the budget reservation is
 * replaced by the real cost (or released), usage and metrics are recorded, and the adapter's report
 * is filled in. Every token the provider reported, or the gateway counted, is charged to the key
 * that asked for it; a request that shared another's upstream call, or was served from the cache,
 * costs nothing.
 */
import type { SpendReservation, SpendTracker } from '../auth/spend-tracker.js';
import type { Admission } from '../limits/client-rate-limiter.js';
import { completionLimitOf, estimatePromptTokens } from '../limits/token-estimate.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { countersFor, type UsageRecorder } from '../usage/usage-recorder.js';
import type { ChatCompletionCommand, ChatCompletionResult, ServedFacts } from '../vocabulary/chat-results.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import type { Deployment, RouteStep } from './deployments.js';

/** What served a call, whatever the surface: the facts accounting needs. */
export interface ServedCall extends ServedFacts {
  usage: ChatCompletionResult['usage'];
  /** The answer's text, for LOG_CONTENT; absent where there is none (embeddings). */
  completion?: string | null;
  /** A stream that did not finish. */
  endedEarly?: boolean;
}

/** A chat result as a served call. */
export function servedChat(result: ChatCompletionResult): ServedCall {
  const choice = result.choices[0];
  // The facts alone, not a copy of the whole result: this runs for every request.
  return {
    provider: result.provider,
    model: result.model,
    deployment: result.deployment,
    attempts: result.attempts,
    cacheStatus: result.cacheStatus,
    usage: result.usage,
    completion: choice?.message.content ?? null,
    endedEarly: choice?.finishReason === 'error',
  };
}

export interface PreparedRequest {
  /** What was asked, for LOG_CONTENT (chat messages, embedding input). */
  prompt: unknown;
  steps: readonly RouteStep[];
  admission: Admission | undefined;
  budget: SpendReservation | undefined;
  /** Set when the request may be served from and written to the cache. */
  cacheKey: string | undefined;
  readCache: boolean;
  writeCache: boolean;
  /** performance.now() when the request was admitted, for the request-duration metric. */
  startedAt: number;
}

export interface AccountingDeps {
  usage: UsageRecorder | undefined;
  spend: SpendTracker;
  metrics?: GatewayMetrics;
  /** Copy prompt and completion text into the request report (LOG_CONTENT). */
  logContent?: boolean;
}

/** Weight of the newest cost in a key's typical request cost. */
const SMOOTHING = 0.3;
/** Completion tokens assumed when a request sets no limit, for a budget estimate. */
const DEFAULT_COMPLETION_TOKENS = 256;

type Price = { promptPerMillion: number; completionPerMillion: number };

function priceOf(deployment: Deployment): Price | undefined {
  const pricing = deployment.entry.config.pricing;
  return pricing !== undefined && Object.hasOwn(pricing, deployment.upstreamModel) ? pricing[deployment.upstreamModel] : undefined;
}

export class RequestAccounting {
  /** What a key's requests typically cost, for estimates where no price is configured (the provider reports cost). */
  private readonly typicalCost = new Map<string, number>();

  constructor(private readonly deps: AccountingDeps) {}

  /** Whether a served answer's text goes into its report (LOG_CONTENT), so a stream must keep it. */
  get reportsContent(): boolean {
    return this.deps.logContent === true;
  }

  /** The most the request may cost: by configured prices, else what the key's requests typically cost. */
  estimateCostUsd(command: ChatCompletionCommand, steps: readonly RouteStep[], keyId: string): number {
    return this.estimateTokensCostUsd(estimatePromptTokens(command), completionLimitOf(command)?.value ?? DEFAULT_COMPLETION_TOKENS, steps, keyId);
  }

  estimateTokensCostUsd(prompt: number, completion: number, steps: readonly RouteStep[], keyId: string): number {
    let most: number | undefined;
    for (const step of steps) {
      for (const deployment of step.deployments) {
        const price = priceOf(deployment);
        if (price === undefined) continue;
        const cost = (prompt * price.promptPerMillion + completion * price.completionPerMillion) / 1e6;
        if (most === undefined || cost > most) most = cost;
      }
    }
    return most ?? this.typicalCost.get(keyId) ?? 0;
  }

  /** A cached answer costs nothing; it is recorded as a hit. */
  servedFromCache(hit: ServedCall, context: RequestContext, prepared: PreparedRequest): void {
    prepared.admission?.settle(0);
    prepared.budget?.release();
    this.deps.metrics?.countCache('hit');
    this.report(context, { ...hit, attempts: 0, cacheStatus: 'HIT' }, prepared.prompt);
    this.deps.usage?.record({ client: context.clientId, provider: hit.provider, model: servingDeployment(prepared.steps, hit)?.upstreamModel ?? hit.model, usage: hit.usage, cacheHit: true });
  }

  /** A request that shared another's upstream call costs no tokens: it is recorded like a cache hit. */
  finish(result: ServedCall, context: RequestContext, prepared: PreparedRequest, coalesced: boolean): void {
    prepared.admission?.settle(coalesced ? 0 : (result.usage?.totalTokens ?? 0));
    this.deps.metrics?.countCache(result.cacheStatus === 'MISS' ? 'miss' : 'bypass');
    if (coalesced) this.deps.metrics?.countCoalesced();
    this.report(context, result, prepared.prompt);
    const target = servingDeployment(prepared.steps, result);
    const price = target === undefined ? undefined : priceOf(target);
    const counters = countersFor({ usage: result.usage, cacheHit: coalesced, ...(price === undefined ? {} : { price }) });
    prepared.budget?.settle(counters.cost);
    if (context.principal?.kind === 'client') {
      if (prepared.budget === undefined) this.deps.spend.add(context.principal.keyId, counters.cost);
      if (!coalesced) this.learnCost(context.principal.keyId, counters.cost);
    }
    if (!coalesced) this.deps.metrics?.countUsage(result.provider, target?.upstreamModel ?? result.model, result.usage, counters.cost);
    this.deps.metrics?.observeGenAiRequest(result.provider, target?.upstreamModel ?? result.model, result.usage, (performance.now() - prepared.startedAt) / 1000, result.endedEarly === true ? 'stream_ended_early' : undefined);
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
  finishPartial(partial: ChatCompletionResult | undefined, context: RequestContext, prepared: PreparedRequest): void {
    if (partial === undefined) {
      this.release(prepared);
      return;
    }
    this.finish(servedChat({ ...partial, cacheStatus: prepared.cacheKey !== undefined && prepared.readCache ? 'MISS' : 'BYPASS' }), context, prepared, false);
  }

  /** The request failed before anything was produced: it holds nothing any more. */
  release(prepared: PreparedRequest): void {
    prepared.budget?.release();
  }

  private learnCost(keyId: string, cost: number): void {
    if (cost <= 0) return;
    const previous = this.typicalCost.get(keyId);
    this.typicalCost.set(keyId, previous === undefined ? cost : previous + SMOOTHING * (cost - previous));
  }

  private report(context: RequestContext, result: ServedCall, prompt: unknown): void {
    const report = context.report;
    if (report === undefined) return;
    report.served = { provider: result.provider, model: result.model, attempts: result.attempts, cacheStatus: result.cacheStatus };
    report.usage = result.usage;
    if (this.deps.logContent === true) report.content = { prompt, completion: result.completion ?? null };
  }
}

/** The deployment that served the result; for a cached answer, the first of its provider on the route. */
function servingDeployment(steps: readonly RouteStep[], result: Pick<ServedCall, 'provider' | 'deployment'>): Deployment | undefined {
  let ofProvider: Deployment | undefined;
  for (const step of steps) {
    for (const candidate of step.deployments) {
      if (candidate.id === result.deployment) return candidate;
      if (ofProvider === undefined && candidate.provider === result.provider) ofProvider = candidate;
    }
  }
  return ofProvider;
}
