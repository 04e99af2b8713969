/**
 * The legacy text completions path (`/v1/completions`), passed through without translation but on
 * the same parts as chat: routing and the key's allowed models, rate limits and budget
 * reservations, deployments with retries, breakers and fallback, usage and cost, metrics, traces
 * and cancellation. Only deployments whose provider serves `/completions` are tried. Not cached:
 * the body is the provider's, not the gateway's.
 */
import type { SpendTracker } from '../auth/spend-tracker.js';
import { GatewayError, toGatewayError } from '../errors.js';
import type { ClientRateLimiter } from '../limits/client-rate-limiter.js';
import { estimateTextTokens } from '../limits/token-estimate.js';
import type { Tracing } from '../observability/tracing.js';
import type { TokenUsage } from '../vocabulary/chat-request.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import type { ServedBy, TextCompletionChunk, TextCompletionCommand, TextCompletionResponse } from '../vocabulary/text-completions.js';
import type { RouteStep } from './deployments.js';
import type { ModelRouter } from './model-router.js';
import type { PreparedRequest, RequestAccounting } from './request-accounting.js';
import { allowedSteps, reserveBudget } from './request-policy.js';
import type { ResilientExecutor } from './resilient-executor.js';

export interface TextCompletionsPipelineDeps {
  router: ModelRouter;
  executor: ResilientExecutor;
  limiter: ClientRateLimiter | undefined;
  spend: SpendTracker;
  accounting: RequestAccounting;
  budgetHoldMs: number;
  /** Output filters cannot read a body the gateway does not interpret: with them on, this path is closed. */
  outputFiltered: boolean;
  isShuttingDown?: () => boolean;
  tracing?: Tracing;
}

export type TextCompletionResult = TextCompletionResponse & { served: ServedBy };
export type ServedTextChunk = TextCompletionChunk & { served: ServedBy };

const OPEN_TENANT = 'default';
const DEFAULT_MAX_TOKENS = 16;

function promptTokens(prompt: unknown): number {
  if (typeof prompt === 'string') return estimateTextTokens(prompt.length);
  if (Array.isArray(prompt)) return prompt.reduce<number>((sum, item) => sum + promptTokens(item), 0);
  return typeof prompt === 'number' ? 1 : 0;
}

function textCompletionSteps(steps: RouteStep[], model: string | undefined): RouteStep[] {
  const serving = steps.map((step) => ({ ...step, deployments: step.deployments.filter((deployment) => deployment.keyed.provider.completeText !== undefined) })).filter((step) => step.deployments.length > 0);
  if (serving.length > 0) return serving;
  const providers = [...new Set(steps.flatMap((step) => step.deployments.map((deployment) => deployment.provider)))].join(', ');
  throw new GatewayError('model_not_found', `No provider on the route of "${model ?? 'the default model'}" serves legacy text completions (${providers} does not). They are served by OpenRouter and OpenAI-compatible providers.`, { param: 'model' });
}

export class TextCompletionsPipeline {
  constructor(private readonly deps: TextCompletionsPipelineDeps) {}

  async complete(command: TextCompletionCommand, context: RequestContext): Promise<TextCompletionResult> {
    const prepared = await this.prepare(command, context);
    const span = this.startSpan(command, context);
    try {
      const result = await this.deps.executor.completeText(prepared.steps, command, { ...context, ...(span === undefined ? {} : { span }) });
      this.finish(result.served, result.model, result.usage, context, prepared, false);
      span?.end();
      return result;
    } catch (error) {
      this.deps.accounting.release(prepared);
      span?.end(toGatewayError(error).code);
      throw error;
    }
  }

  async *stream(command: TextCompletionCommand, context: RequestContext): AsyncGenerator<ServedTextChunk> {
    const prepared = await this.prepare(command, context);
    let served: ServedBy | undefined;
    let model = command.model ?? '';
    let usage: TokenUsage | null = null;
    let finished = false;
    const span = this.startSpan(command, context);
    let errorType: string | undefined;
    try {
      for await (const chunk of this.deps.executor.streamText(prepared.steps, command, { ...context, ...(span === undefined ? {} : { span }) })) {
        served = chunk.served;
        if (typeof chunk.body.model === 'string') model = chunk.body.model;
        if (chunk.usage !== null) usage = chunk.usage;
        yield chunk;
      }
      finished = true;
    } catch (error) {
      errorType = toGatewayError(error).code;
      throw error;
    } finally {
      span?.end(errorType);
      // A stream cut short still costs what the provider reported; one that never started, nothing.
      if (served === undefined) this.deps.accounting.release(prepared);
      else this.finish(served, model, usage, context, prepared, !finished);
    }
  }

  private startSpan(command: TextCompletionCommand, context: RequestContext) {
    const model = command.model ?? 'default';
    return this.deps.tracing?.startRequest(`text_completion ${model}`, { 'gen_ai.operation.name': 'text_completion', 'gen_ai.request.model': model }, context.traceparent);
  }

  private finish(served: ServedBy, model: string, usage: TokenUsage | null, context: RequestContext, prepared: PreparedRequest, endedEarly: boolean): void {
    this.deps.accounting.finish({ ...served, model, usage, cacheStatus: 'BYPASS', endedEarly }, context, prepared, false);
  }

  private async prepare(command: TextCompletionCommand, context: RequestContext): Promise<PreparedRequest> {
    if (this.deps.isShuttingDown?.() === true) throw new GatewayError('shutting_down', 'This replica is shutting down and takes no new requests. Retry.');
    if (this.deps.outputFiltered) {
      throw new GatewayError('invalid_request', 'Legacy text completions pass through unfiltered, so they are off while output filters are configured. Use /v1/chat/completions.');
    }
    const limits = context.principal?.kind === 'client' ? context.principal.limits : undefined;
    const steps = textCompletionSteps(allowedSteps(this.deps.router.resolve(command.model), limits, command.body), command.model);
    const keyId = context.principal?.kind === 'client' ? context.principal.keyId : OPEN_TENANT;
    const prompt = promptTokens(command.prompt);
    const completion = command.maxTokens ?? DEFAULT_MAX_TOKENS;
    const admission = await this.deps.limiter?.admit(context.clientId, prompt + completion, limits);
    if (context.report !== undefined && admission?.requests !== undefined) context.report.rateLimit = admission.requests;
    const budget = await reserveBudget(context.principal, this.deps.spend, this.deps.accounting.estimateTokensCostUsd(prompt, completion, steps, keyId), this.deps.budgetHoldMs);
    return { prompt: command.prompt, steps, admission, budget, cacheKey: undefined, readCache: false, writeCache: false, startedAt: performance.now() };
  }
}
