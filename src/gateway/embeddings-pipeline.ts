/**
 * The embeddings request path, on the same parts as chat: routing and the key's allowed models,
 * rate limits and budget reservations, deployments with retries, breakers and fallback, the
 * response cache (embeddings are deterministic, so they are cached by default), usage and cost,
 * metrics, traces and cancellation. Only deployments whose provider serves embeddings are tried.
 */
import type { SpendTracker } from '../auth/spend-tracker.js';
import type { ResponseCache } from '../cache/response-cache.js';
import { GatewayError, toGatewayError } from '../errors.js';
import type { ClientRateLimiter } from '../limits/client-rate-limiter.js';
import { estimateTextTokens } from '../limits/token-estimate.js';
import type { Tracing } from '../observability/tracing.js';
import type { EmbeddingsCommand, EmbeddingsResult } from '../vocabulary/embeddings.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import { targetNames, type RouteStep } from './deployments.js';
import type { ModelRouter } from './model-router.js';
import type { RequestAccounting } from './request-accounting.js';
import { allowedSteps, reserveBudget, tenantOf } from './request-policy.js';
import type { ResilientExecutor } from './resilient-executor.js';

export interface EmbeddingsPipelineDeps {
  router: ModelRouter;
  executor: ResilientExecutor;
  cache: ResponseCache | undefined;
  limiter: ClientRateLimiter | undefined;
  spend: SpendTracker;
  accounting: RequestAccounting;
  budgetHoldMs: number;
  isShuttingDown?: () => boolean;
  tracing?: Tracing;
}

/** Tokens in the input: characters for text, the arrays' lengths for token ids. */
function inputTokens(input: EmbeddingsCommand['input']): number {
  if (typeof input === 'string') return estimateTextTokens(input.length);
  return input.reduce<number>((sum, item) => sum + (typeof item === 'string' ? estimateTextTokens(item.length) : Array.isArray(item) ? item.length : 1), 0);
}

/** Only deployments that serve embeddings; a route with none is a clear `model_not_found`. */
function embeddingSteps(steps: readonly RouteStep[], model: string | undefined): readonly RouteStep[] {
  const serving = steps.map((step) => ({ ...step, deployments: step.deployments.filter((deployment) => deployment.keyed.provider.embed !== undefined) })).filter((step) => step.deployments.length > 0);
  if (serving.length > 0) return serving;
  const providers = [...new Set(steps.flatMap((step) => step.deployments.map((deployment) => deployment.provider)))].join(', ');
  throw new GatewayError('model_not_found', `No provider on the route of "${model ?? 'the default model'}" serves embeddings (${providers} does not). Embeddings are served by OpenRouter and OpenAI-compatible providers.`, { param: 'model' });
}

function isEmbeddingsResult(value: unknown): value is EmbeddingsResult {
  return typeof value === 'object' && value !== null && Array.isArray((value as EmbeddingsResult).data) && typeof (value as EmbeddingsResult).provider === 'string';
}

export class EmbeddingsPipeline {
  constructor(private readonly deps: EmbeddingsPipelineDeps) {}

  async embed(command: EmbeddingsCommand, context: RequestContext): Promise<EmbeddingsResult> {
    const tracing = this.deps.tracing;
    const model = command.model ?? 'default';
    const span = tracing === undefined ? undefined : tracing.startRequest(`embeddings ${model}`, { 'gen_ai.operation.name': 'embeddings', 'gen_ai.request.model': model }, context.traceparent);
    try {
      const result = await this.run(command, context, span);
      span?.set({ 'gen_ai.provider.name': result.provider, 'gen_ai.response.model': result.model, ...(result.usage === null ? {} : { 'gen_ai.usage.input_tokens': result.usage.promptTokens }) });
      span?.end();
      return result;
    } catch (error) {
      span?.end(toGatewayError(error).code);
      throw error;
    }
  }

  private async run(command: EmbeddingsCommand, context: RequestContext, span: ReturnType<Tracing['startRequest']> | undefined): Promise<EmbeddingsResult> {
    if (this.deps.isShuttingDown?.() === true) throw new GatewayError('shutting_down', 'This replica is shutting down and takes no new requests. Retry.');
    const limits = context.principal?.kind === 'client' ? context.principal.limits : undefined;
    const steps = embeddingSteps(allowedSteps(this.deps.router.resolve(command.model), limits, command.providerOptions), command.model);
    const keyId = tenantOf(context.principal);
    const tokens = inputTokens(command.input);
    const admission = await this.deps.limiter?.admit(context.clientId, tokens, limits);
    if (context.report !== undefined && admission?.requests !== undefined) context.report.rateLimit = admission.requests;
    const budget = await reserveBudget(context.principal, this.deps.spend, () => this.deps.accounting.estimateTokensCostUsd(tokens, 0, steps, keyId), this.deps.budgetHoldMs);
    const cache = this.deps.cache?.enabled === true ? this.deps.cache : undefined;
    const { user: _user, model: _model, ...answerShaping } = command;
    const cacheKey = cache?.keyFor('embeddings', keyId, targetNames(steps), answerShaping);
    const prepared = { prompt: command.input, steps, admission, budget, cacheKey, readCache: cacheKey !== undefined && context.cache?.noCache !== true, writeCache: cacheKey !== undefined && context.cache?.noStore !== true, startedAt: performance.now() };
    try {
      if (cacheKey !== undefined && prepared.readCache) {
        const hit = await cache?.readJson(cacheKey, isEmbeddingsResult);
        if (hit !== undefined) {
          this.deps.accounting.servedFromCache(hit, context, prepared);
          return { ...hit, attempts: 0, cacheStatus: 'HIT' };
        }
      }
      const result = await this.deps.executor.embed(steps, command, { ...context, ...(span === undefined ? {} : { span }) });
      if (cacheKey !== undefined && prepared.writeCache) await cache?.writeJson(cacheKey, result);
      const served: EmbeddingsResult = { ...result, cacheStatus: prepared.readCache ? 'MISS' : 'BYPASS' };
      this.deps.accounting.finish(served, context, prepared, false);
      return served;
    } catch (error) {
      this.deps.accounting.release(prepared);
      throw error;
    }
  }
}
