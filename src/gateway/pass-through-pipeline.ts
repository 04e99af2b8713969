/**
 * The path of requests passed through without translation (legacy completions; Anthropic Messages
 * and Responses requests for providers that speak them), on the same parts as chat: routing and the
 * key's allowed models, rate limits and budget reservations, deployments with retries, breakers and
 * fallback, usage and cost, metrics, traces and cancellation. Only deployments whose provider
 * serves the protocol are tried. Not cached: the body is the provider's, not the gateway's.
 */
import type { SpendTracker } from '../auth/spend-tracker.js';
import { GatewayError, toGatewayError } from '../errors.js';
import type { ClientRateLimiter } from '../limits/client-rate-limiter.js';
import { estimateTextTokens } from '../limits/token-estimate.js';
import type { Tracing } from '../observability/tracing.js';
import type { TokenUsage } from '../vocabulary/chat-request.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import type { ServedBy, PassThroughChunk, PassThroughCommand, PassThroughProtocol, PassThroughResponse } from '../vocabulary/pass-through.js';
import type { Deployment, RouteStep } from './deployments.js';
import type { ModelRouter } from './model-router.js';
import type { PreparedRequest, RequestAccounting } from './request-accounting.js';
import { allowedSteps, reserveBudget, tenantOf } from './request-policy.js';
import type { ResilientExecutor } from './resilient-executor.js';
import type { Flow } from '../streams/flow.js';
import { LazyFlow } from '../streams/lazy-flow.js';
import { StageFlow } from '../streams/stage-flow.js';

export interface PassThroughPipelineDeps {
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

export type PassThroughResult = PassThroughResponse & { served: ServedBy };
export type ServedPassThroughChunk = PassThroughChunk & { served: ServedBy };

const DEFAULT_MAX_TOKENS = 16;

/** Token ids count one each; anything else by the length of its text or JSON. */
function promptTokens(prompt: unknown): number {
  if (typeof prompt === 'string') return estimateTextTokens(prompt.length);
  if (typeof prompt === 'number') return 1;
  if (Array.isArray(prompt) && prompt.every((item) => typeof item === 'number' || Array.isArray(item))) return prompt.reduce<number>((sum, item) => sum + promptTokens(item), 0);
  return prompt === undefined ? 0 : estimateTextTokens(JSON.stringify(prompt).length);
}

const servesAsIs = (protocol: PassThroughProtocol) => (deployment: Deployment) => deployment.keyed.provider.passThrough?.[protocol] !== undefined;

const PROTOCOL_NAMES: Readonly<Record<PassThroughProtocol, string>> = {
  completions: 'legacy text completions',
  'anthropic-messages': "Anthropic's Messages API as it is",
  responses: 'the Responses API as it is',
};

function passThroughSteps(steps: readonly RouteStep[], command: PassThroughCommand): readonly RouteStep[] {
  const serving = steps.map((step) => ({ ...step, deployments: step.deployments.filter(servesAsIs(command.protocol)) })).filter((step) => step.deployments.length > 0);
  if (serving.length > 0) return serving;
  const providers = [...new Set(steps.flatMap((step) => step.deployments.map((deployment) => deployment.provider)))].join(', ');
  throw new GatewayError('model_not_found', `No provider on the route of "${command.model ?? 'the default model'}" serves ${PROTOCOL_NAMES[command.protocol]} (${providers} does not).${command.protocol === 'completions' ? ' OpenRouter and OpenAI-compatible providers serve them.' : ''}`, { param: 'model' });
}

export class PassThroughPipeline {
  constructor(private readonly deps: PassThroughPipelineDeps) {}

  async complete(command: PassThroughCommand, context: RequestContext): Promise<PassThroughResult> {
    const prepared = await this.prepare(command, context);
    const span = this.startSpan(command, context);
    try {
      const result = await this.deps.executor.completePassThrough(prepared.steps, command, { ...context, ...(span === undefined ? {} : { span }) });
      this.finish(result.served, result.model, result.usage, context, prepared, false);
      span?.end();
      return result;
    } catch (error) {
      this.deps.accounting.release(prepared);
      span?.end(toGatewayError(error).code);
      throw error;
    }
  }

  /** The passed-through stream, as chat's: a flow pulled until it is committed and pushed after, accounted however it ends. */
  stream(command: PassThroughCommand, context: RequestContext): Flow<ServedPassThroughChunk> {
    return new LazyFlow(async () => {
      const prepared = await this.prepare(command, context);
      let served: ServedBy | undefined;
      let model = command.model ?? '';
      let usage: TokenUsage | null = null;
      let finished = false;
      const span = this.startSpan(command, context);
      let errorType: string | undefined;
      return new StageFlow(this.deps.executor.streamPassThrough(prepared.steps, command, { ...context, ...(span === undefined ? {} : { span }) }), {
        item: (chunk: ServedPassThroughChunk, emit: (chunk: ServedPassThroughChunk) => void) => {
          served = chunk.served;
          if (typeof chunk.body.model === 'string') model = chunk.body.model;
          if (chunk.usage !== null) usage = chunk.usage;
          emit(chunk);
        },
        end: () => {
          finished = true;
        },
        fail: (error) => {
          errorType = toGatewayError(error).code;
          return error;
        },
        settle: () => {
          span?.end(errorType);
          // A stream cut short still costs what the provider reported; one that never started, nothing.
          if (served === undefined) this.deps.accounting.release(prepared);
          else this.finish(served, model, usage, context, prepared, !finished);
        },
      });
    });
  }

  /**
   * Whether every deployment the request could reach serves the protocol as it is. A route that
   * mixes such providers with others is translated instead, so one stream never changes format
   * when it falls back.
   */
  servesEntirely(protocol: PassThroughProtocol, model: string | undefined): boolean {
    // Output filters read translated answers only: with them on, native protocols are translated.
    if (this.deps.outputFiltered) return false;
    try {
      const steps = this.deps.router.resolve(model);
      return steps.length > 0 && steps.every((step) => step.deployments.every(servesAsIs(protocol)));
    } catch {
      // An unknown model is reported by the path that serves the request.
      return false;
    }
  }

  private startSpan(command: PassThroughCommand, context: RequestContext) {
    const model = command.model ?? 'default';
    const operation = command.protocol === 'completions' ? 'text_completion' : 'chat';
    return this.deps.tracing?.startRequest(`${operation} ${model}`, { 'gen_ai.operation.name': operation, 'gen_ai.request.model': model }, context.traceparent);
  }

  private finish(served: ServedBy, model: string, usage: TokenUsage | null, context: RequestContext, prepared: PreparedRequest, endedEarly: boolean): void {
    this.deps.accounting.finish({ ...served, model, usage, cacheStatus: 'BYPASS', endedEarly }, context, prepared, false);
  }

  private async prepare(command: PassThroughCommand, context: RequestContext): Promise<PreparedRequest> {
    if (this.deps.isShuttingDown?.() === true) throw new GatewayError('shutting_down', 'This replica is shutting down and takes no new requests. Retry.');
    if (this.deps.outputFiltered) {
      throw new GatewayError('invalid_request', 'Legacy text completions pass through unfiltered, so they are off while output filters are configured. Use /v1/chat/completions.');
    }
    const limits = context.principal?.kind === 'client' ? context.principal.limits : undefined;
    const steps = passThroughSteps(allowedSteps(this.deps.router.resolve(command.model), limits, command.body), command);
    const keyId = tenantOf(context.principal);
    const prompt = promptTokens(command.prompt);
    const completion = command.maxTokens ?? DEFAULT_MAX_TOKENS;
    const admission = await this.deps.limiter?.admit(context.clientId, prompt + completion, limits);
    if (context.report !== undefined && admission?.requests !== undefined) context.report.rateLimit = admission.requests;
    const budget = await reserveBudget(context.principal, this.deps.spend, () => this.deps.accounting.estimateTokensCostUsd(prompt, completion, steps, keyId), this.deps.budgetHoldMs);
    return { prompt: command.prompt, steps, admission, budget, cacheKey: undefined, readCache: false, writeCache: false, startedAt: performance.now() };
  }
}
