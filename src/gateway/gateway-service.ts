/**
 * The request path shared by REST and GraphQL: route the model to its targets, run them with
 * retries, breakers and fallback, and report what served the request. Adapters translate their
 * wire formats to these calls and back, and nothing more.
 */
import type { RetryBudgetConfig, RoutingConfig } from '../config.js';
import { GatewayError, toGatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { ProviderModel } from '../providers/types.js';
import { ProviderBreakers } from '../resilience/provider-breakers.js';
import { RetryBudget } from '../resilience/retry-budget.js';
import type { HealthReport, ModelSummary, ProviderHealthResult, ProviderSummary } from './catalog-types.js';
import type { ChatChunk, ChatCompletionCommand, ChatCompletionResult, RequestContext } from './chat-types.js';
import { runWithFallback, settleFailure, type RunnerDeps } from './fallback-runner.js';
import { ModelRouter } from './model-router.js';
import { partsToChunks } from './parts-to-chunks.js';
import { ProviderHealthChecks } from './provider-health-checks.js';
import { ProviderRuntime } from './provider-runtime.js';

export interface GatewayServiceDeps {
  registry: ProviderRegistry;
  routing: RoutingConfig;
  logger: Logger;
  version: string;
  requestTimeoutMs: number;
  retryBudget: RetryBudgetConfig;
  /** How long a provider's model list is reused before it is fetched again. */
  modelListTtlMs?: number;
  now?: () => number;
  random?: () => number;
}

interface CachedModels {
  expiresAt: number;
  models: Promise<ProviderModel[]>;
}

/** Aborts on the client's signal or at the request deadline, whichever comes first. */
interface RequestScope {
  signal: AbortSignal;
  deadlineAt: number;
  dispose(): void;
}

const MODEL_LIST_TIMEOUT_MS = 10_000;

export class GatewayService {
  private readonly runtime: ProviderRuntime;
  private readonly router: ModelRouter;
  private readonly runner: RunnerDeps;
  private readonly healthChecks: ProviderHealthChecks;
  private readonly modelLists = new Map<string, CachedModels>();
  private readonly startedAt: number;
  private readonly now: () => number;

  constructor(private readonly deps: GatewayServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
    const entries = deps.registry.list();
    const breakers = new ProviderBreakers(new Map(entries.map((entry) => [entry.provider.id, entry.config.breaker])), deps.logger, this.now);
    const disabled = entries.filter((entry) => !entry.config.enabled).map((entry) => entry.provider.id);
    this.runtime = new ProviderRuntime(breakers, disabled, this.now);
    this.router = new ModelRouter(deps.registry, deps.routing);
    this.runner = { runtime: this.runtime, budget: new RetryBudget(deps.retryBudget, this.now), logger: deps.logger, now: this.now, random: deps.random };
    this.healthChecks = new ProviderHealthChecks(this.runtime, this.now);
  }

  async createChatCompletion(command: ChatCompletionCommand, context: RequestContext): Promise<ChatCompletionResult> {
    const targets = this.router.resolve(command.model);
    const scope = this.openScope(context);
    try {
      const run = await runWithFallback(targets, this.runner, { requestId: context.requestId, ...scope }, (target, signal) =>
        target.entry.provider.complete({ ...command, model: target.upstreamModel }, { signal, requestId: context.requestId }),
      );
      run.ticket.succeed();
      const response = run.value;
      return {
        id: response.id,
        created: response.created,
        model: response.model || run.target.upstreamModel,
        provider: run.target.entry.provider.id,
        attempts: run.attempts,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: response.content, reasoning: response.reasoning, toolCalls: response.toolCalls },
            finishReason: response.finishReason,
          },
        ],
        usage: response.usage,
      };
    } finally {
      scope.dispose();
    }
  }

  /**
   * Yields chunks until the finish chunk. Retries and fallback happen only before the first chunk;
   * a failure after it is thrown, so the adapter can tell the client the stream was cut.
   */
  async *streamChatCompletion(command: ChatCompletionCommand, context: RequestContext): AsyncGenerator<ChatChunk> {
    const targets = this.router.resolve(command.model);
    const scope = this.openScope(context);
    try {
      const run = await runWithFallback(targets, this.runner, { requestId: context.requestId, ...scope }, async (target, signal, attempts) => {
        const chunks = partsToChunks(target.entry.provider.stream({ ...command, model: target.upstreamModel }, { signal, requestId: context.requestId }), {
          provider: target.entry.provider.id,
          requestedModel: target.upstreamModel,
          attempts,
          includeUsageChunk: context.includeUsageChunk === true,
          now: this.now,
          idPrefix: 'chatcmpl',
        });
        // The first chunk is the first token: until it arrives a failure may still fall back.
        const first = await chunks.next();
        if (first.done === true) throw new GatewayError('upstream_stream_truncated', `Provider ${target.entry.provider.id} sent an empty stream.`);
        return { first: first.value, chunks };
      });
      const { first, chunks } = run.value;
      try {
        yield first;
        for await (const chunk of { [Symbol.asyncIterator]: () => chunks }) yield chunk;
        run.ticket.succeed();
        this.runtime.recordSuccess(run.target.entry.provider.id);
      } catch (error) {
        throw settleFailure(this.runner, run.target, run.ticket, error, scope.signal);
      } finally {
        // Reached early when the consumer stops: the client left, which is not the provider's fault.
        run.ticket.succeed();
        await chunks.return(undefined);
      }
    } finally {
      scope.dispose();
    }
  }

  async listModels(context: Pick<RequestContext, 'requestId'>): Promise<ModelSummary[]> {
    const usable = this.deps.registry.list().filter((entry) => this.runtime.isUsable(entry));
    const lists = await Promise.all(
      usable.map(async ({ provider, config }) => {
        try {
          const models = config.models?.map<ProviderModel>((id) => ({ id })) ?? (await this.cachedModelList(provider.id, context.requestId));
          return models.map<ModelSummary>((model) => ({
            id: `${provider.id}/${model.id}`,
            provider: provider.id,
            upstreamId: model.id,
            ownedBy: model.ownedBy ?? null,
            created: model.created ?? null,
            contextLength: model.contextLength ?? null,
          }));
        } catch (error) {
          this.deps.logger.warn({ provider: provider.id, code: toGatewayError(error).code, requestId: context.requestId }, 'model list unavailable');
          return [];
        }
      }),
    );
    return lists.flat();
  }

  listProviders(): ProviderSummary[] {
    return this.deps.registry.list().map((entry) => this.runtime.summarize(entry));
  }

  getProvider(id: string): ProviderSummary {
    return this.runtime.summarize(this.requireProvider(id));
  }

  setProviderEnabled(id: string, enabled: boolean): ProviderSummary {
    const entry = this.requireProvider(id);
    this.runtime.setEnabled(id, enabled);
    this.deps.logger.warn({ provider: id, enabled }, `provider ${id} ${enabled ? 'enabled' : 'disabled'} by an operator`);
    return this.runtime.summarize(entry);
  }

  providerHealth(id: string): Promise<ProviderHealthResult> {
    return this.healthChecks.check(this.requireProvider(id));
  }

  health(): HealthReport {
    const entries = this.deps.registry.list();
    const providers = entries.map((entry) => ({ id: entry.provider.id, status: this.runtime.status(entry) }));
    const active = providers.filter((provider) => provider.status !== 'not_configured' && provider.status !== 'disabled');
    const usable = active.filter((provider) => provider.status === 'available' || provider.status === 'degraded');
    const status = usable.length === 0 ? 'down' : active.every((provider) => provider.status === 'available') ? 'ok' : 'degraded';
    return { status, uptimeSeconds: Math.round((this.now() - this.startedAt) / 1000), version: this.deps.version, providers };
  }

  /** Stops breaker timers; called once at shutdown. */
  close(): void {
    this.runtime.breakers.shutdown();
  }

  private requireProvider(id: string) {
    const entry = this.deps.registry.get(id);
    if (entry === undefined) throw new GatewayError('not_found', `No provider with id "${id}".`, { param: 'id' });
    return entry;
  }

  private openScope(context: RequestContext): RequestScope {
    const controller = new AbortController();
    const deadlineAt = this.now() + this.deps.requestTimeoutMs;
    const onClientAbort = () => controller.abort(context.signal.reason);
    if (context.signal.aborted) onClientAbort();
    else context.signal.addEventListener('abort', onClientAbort, { once: true });
    const timer = setTimeout(() => {
      controller.abort(new GatewayError('upstream_timeout', `The request did not finish within REQUEST_TIMEOUT_MS (${this.deps.requestTimeoutMs} ms).`));
    }, this.deps.requestTimeoutMs);
    timer.unref();
    return {
      signal: controller.signal,
      deadlineAt,
      dispose: () => {
        clearTimeout(timer);
        context.signal.removeEventListener('abort', onClientAbort);
      },
    };
  }

  private cachedModelList(providerId: string, requestId: string): Promise<ProviderModel[]> {
    const cached = this.modelLists.get(providerId);
    if (cached !== undefined && cached.expiresAt > this.now()) return cached.models;
    const entry = this.deps.registry.get(providerId);
    if (entry === undefined) return Promise.resolve([]);
    const models = entry.provider.listModels({ signal: AbortSignal.timeout(MODEL_LIST_TIMEOUT_MS), requestId });
    this.modelLists.set(providerId, { expiresAt: this.now() + (this.deps.modelListTtlMs ?? 300_000), models });
    // A failed fetch must not be served from the cache until it expires.
    models.catch(() => this.modelLists.delete(providerId));
    return models;
  }
}
