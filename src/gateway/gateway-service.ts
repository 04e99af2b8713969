/**
 * The one service REST and GraphQL adapt: chat requests (through the chat pipeline), providers,
 * models, usage and health. Adapters translate their wire formats to these calls and back.
 */
import type { CooldownConfig, RetryBudgetConfig, RoutingConfig } from '../config/types.js';
import { GatewayError, toGatewayError } from '../errors.js';
import type { ApiKeyRecord } from '../auth/api-key-types.js';
import type { KeyLimits, Principal } from '../vocabulary/principal.js';
import type { ApiKeys } from '../auth/api-keys.js';
import type { ResponseCache } from '../cache/response-cache.js';
import type { ClientRateLimiter } from '../limits/client-rate-limiter.js';
import type { Logger } from '../observability/logger.js';
import type { UsageRecorder } from '../usage/usage-recorder.js';
import type { UsageFilter, UsageRow } from '../usage/usage-types.js';
import type { ProviderRegistry } from './provider-registry.js';
import type { ProviderModel } from '../providers/types.js';
import { RetryBudget } from '../resilience/retry-budget.js';
import type { ApiKeyView, CreatedApiKeyView, HealthReport, ModelSummary, ProviderHealthResult, ProviderSummary, RedisStatus } from './catalog-types.js';
import type { ChatChunk, ChatCompletionCommand, ChatCompletionResult } from '../vocabulary/chat-results.js';
import type { RequestContext } from '../vocabulary/request-context.js';
import { ChatPipeline, type ChatPipelineDeps } from './chat-pipeline.js';
import type { Flow } from '../streams/flow.js';
import { EmbeddingsPipeline } from './embeddings-pipeline.js';
import { PassThroughPipeline, type ServedPassThroughChunk, type PassThroughResult } from './pass-through-pipeline.js';
import type { PassThroughCommand, PassThroughProtocol } from '../vocabulary/pass-through.js';
import { RequestAccounting } from './request-accounting.js';
import type { EmbeddingsCommand, EmbeddingsResult } from '../vocabulary/embeddings.js';
import { DeploymentHealth } from './deployment-health.js';
import { LoadBalancer } from './load-balancer.js';
import { ModelRouter } from './model-router.js';
import { ProviderHealthChecks } from './provider-health-checks.js';
import { ProviderRuntime } from './provider-runtime.js';
import { RequestCoalescer } from './request-coalescer.js';
import { ResilientExecutor } from './resilient-executor.js';

/** What the chat pipeline needs passes through unchanged; the rest the service builds itself. */
type PipelineSettings = Pick<ChatPipelineDeps, 'spend' | 'inputLimits' | 'outputFilter' | 'metrics' | 'logContent' | 'isShuttingDown' | 'tracing'>;

export interface GatewayServiceDeps extends PipelineSettings {
  registry: ProviderRegistry;
  routing: RoutingConfig;
  logger: Logger;
  version: string;
  requestTimeoutMs: number;
  retryBudget: RetryBudgetConfig;
  cooldowns: CooldownConfig;
  cache?: ResponseCache;
  limiter?: ClientRateLimiter;
  usage?: UsageRecorder;
  /** undefined when no Redis is configured. */
  redisReady?: () => boolean;
  apiKeys: ApiKeys;
  /** How long a provider's model list is reused before it is fetched again. */
  modelListTtlMs?: number;
  now?: () => number;
  random?: () => number;
}

interface CachedModels {
  expiresAt: number;
  models: Promise<ProviderModel[]>;
}

const MODEL_LIST_TIMEOUT_MS = 10_000;
const LAST_ERROR_FOR_ADMIN = 'The text of this error is shown to the admin key only.';

export class GatewayService {
  private readonly runtime: ProviderRuntime;
  /** Breakers and cooldowns per deployment; the app shares them across replicas when Redis is there. */
  readonly deploymentHealth: DeploymentHealth;
  private readonly pipeline: ChatPipeline;
  private readonly embeddings: EmbeddingsPipeline;
  private readonly passThrough: PassThroughPipeline;
  private readonly healthChecks: ProviderHealthChecks;
  private readonly modelLists = new Map<string, CachedModels>();
  private readonly startedAt: number;
  private readonly now: () => number;

  constructor(private readonly deps: GatewayServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
    const entries = deps.registry.list();
    const policyFor = (providerId: string) => deps.registry.get(providerId)!.config.breaker;
    const health = new DeploymentHealth({ policyFor, cooldowns: deps.cooldowns, logger: deps.logger, now: this.now, ...(deps.metrics === undefined ? {} : { metrics: deps.metrics }) });
    this.deploymentHealth = health;
    const balancer = new LoadBalancer(deps.random, deps.metrics);
    const disabled = entries.filter((entry) => !entry.config.enabled).map((entry) => entry.provider.id);
    this.runtime = new ProviderRuntime(health, balancer, disabled, this.now);
    const runner = { runtime: this.runtime, health, balancer, metrics: deps.metrics, budget: new RetryBudget(deps.retryBudget, this.now), logger: deps.logger, now: this.now, random: deps.random };
    this.healthChecks = new ProviderHealthChecks(this.runtime, this.now);
    const router = new ModelRouter(deps.registry, deps.routing);
    const executor = new ResilientExecutor(runner, deps.requestTimeoutMs);
    const accounting = new RequestAccounting({ usage: deps.usage, spend: deps.spend, ...(deps.metrics === undefined ? {} : { metrics: deps.metrics }), ...(deps.logContent === undefined ? {} : { logContent: deps.logContent }) });
    this.embeddings = new EmbeddingsPipeline({ router, executor, cache: deps.cache, limiter: deps.limiter, spend: deps.spend, accounting, budgetHoldMs: deps.requestTimeoutMs, ...(deps.isShuttingDown === undefined ? {} : { isShuttingDown: deps.isShuttingDown }), ...(deps.tracing === undefined ? {} : { tracing: deps.tracing }) });
    this.passThrough = new PassThroughPipeline({ router, executor, limiter: deps.limiter, spend: deps.spend, accounting, budgetHoldMs: deps.requestTimeoutMs, outputFiltered: deps.outputFilter.active, ...(deps.isShuttingDown === undefined ? {} : { isShuttingDown: deps.isShuttingDown }), ...(deps.tracing === undefined ? {} : { tracing: deps.tracing }) });
    this.pipeline = new ChatPipeline({
      router,
      executor,
      accounting,
      coalescer: new RequestCoalescer(),
      cache: deps.cache,
      limiter: deps.limiter,
      usage: deps.usage,
      spend: deps.spend,
      inputLimits: deps.inputLimits,
      outputFilter: deps.outputFilter,
      metrics: deps.metrics,
      logContent: deps.logContent,
      isShuttingDown: deps.isShuttingDown,
      now: this.now,
      budgetHoldMs: deps.requestTimeoutMs,
      tracing: deps.tracing,
    });
  }

  createChatCompletion(command: ChatCompletionCommand, context: RequestContext): Promise<ChatCompletionResult> {
    return this.pipeline.complete(command, context);
  }

  /**
   * Yields chunks until the finish chunk. A failure is thrown: before the first chunk it means no
   * token reached the client; after it, the stream was cut and the client must be told so.
   */
  streamChatCompletion(command: ChatCompletionCommand, context: RequestContext): Flow<ChatChunk> {
    return this.pipeline.stream(command, context);
  }

  /** Requests passed through untranslated (legacy completions, native protocols), on the same gateway path as chat. */
  createPassThrough(command: PassThroughCommand, context: RequestContext): Promise<PassThroughResult> {
    return this.passThrough.complete(command, context);
  }

  streamPassThrough(command: PassThroughCommand, context: RequestContext): Flow<ServedPassThroughChunk> {
    return this.passThrough.stream(command, context);
  }

  /** Whether every provider the model routes to speaks the protocol itself, so the request can pass through. */
  servesAsIs(protocol: PassThroughProtocol, model: string | undefined): boolean {
    return this.passThrough.servesEntirely(protocol, model);
  }

  /** Embeddings for one input or many, through the same gateway path as chat. */
  createEmbeddings(command: EmbeddingsCommand, context: RequestContext): Promise<EmbeddingsResult> {
    return this.embeddings.embed(command, context);
  }

  /** Usage rows for the filter; `store_unavailable` while Redis cannot be read. */
  async usage(filter: UsageFilter): Promise<UsageRow[]> {
    if (this.deps.usage === undefined) return [];
    try {
      return await this.deps.usage.query(filter);
    } catch {
      throw new GatewayError('store_unavailable', 'Usage is kept in Redis, which cannot be reached right now. Try again shortly.');
    }
  }

  /**
   * The principal behind a bearer token; undefined when the token is missing or not a key. At once
   * when the key is known (or authentication is off); a promise only when the key store must be asked.
   */
  authenticate(token: string | undefined): Principal | undefined | Promise<Principal | undefined> {
    return this.deps.apiKeys.authenticate(token);
  }

  async createApiKey(name: string, limits: KeyLimits): Promise<CreatedApiKeyView> {
    const created = await this.deps.apiKeys.create(name, limits);
    return { record: this.view(created.record), key: created.key };
  }

  async listApiKeys(): Promise<ApiKeyView[]> {
    return (await this.deps.apiKeys.list()).map((record) => this.view(record));
  }

  async updateApiKey(id: string, limits: KeyLimits): Promise<ApiKeyView> {
    return this.view(await this.deps.apiKeys.update(id, limits));
  }

  async revokeApiKey(id: string): Promise<ApiKeyView> {
    return this.view(await this.deps.apiKeys.revoke(id));
  }

  /**
   * Providers whose spend a budget cannot count: configured, reporting no cost (only OpenRouter
   * does) and without prices in the providers file. Said at start-up and on every key with a budget.
   */
  unpricedProviders(): string[] {
    return this.deps.registry
      .list()
      .filter(({ provider, config }) => provider.configuration.configured && config.kind !== 'openrouter' && (config.pricing === undefined || Object.keys(config.pricing).length === 0))
      .map(({ provider }) => provider.id);
  }

  private view(record: ApiKeyRecord): ApiKeyView {
    const unpriced = this.unpricedProviders();
    const budgetNote =
      record.limits.budgetUsd === undefined || unpriced.length === 0
        ? null
        : `Spend on ${unpriced.join(', ')} is not counted: ${unpriced.length === 1 ? 'it reports' : 'they report'} no cost and no prices are configured (providers file: pricing).`;
    return { ...record, budgetNote };
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

  /** A gateway id (`provider/model`) first, then a provider's own id; `model_not_found` otherwise. */
  async getModel(model: string, context: Pick<RequestContext, 'requestId'>): Promise<ModelSummary> {
    const models = await this.listModels(context);
    const found = models.find((candidate) => candidate.id === model) ?? models.find((candidate) => candidate.upstreamId === model);
    if (found === undefined) throw new GatewayError('model_not_found', `No configured provider lists the model "${model}". GET /v1/models lists the models.`, { param: 'model' });
    return found;
  }

  /**
   * Every provider. The last error's text may quote another client's request or the upstream's
   * words, so only the admin (or an open gateway's operator) sees it; client keys see code and time.
   */
  listProviders(viewer?: Principal): ProviderSummary[] {
    const summaries = this.deps.registry.list().map((entry) => this.runtime.summarize(entry));
    if (viewer === undefined || viewer.kind !== 'client') return summaries;
    return summaries.map((summary) => (summary.lastError === null ? summary : { ...summary, lastError: { ...summary.lastError, message: LAST_ERROR_FOR_ADMIN } }));
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
    const redis: RedisStatus = this.deps.redisReady === undefined ? 'not_configured' : this.deps.redisReady() ? 'connected' : 'unavailable';
    // Providers failing degrade the report but never make this replica 'down': every replica would
    // fail alike, and a load balancer taking them all out turns a provider incident into an outage.
    const allWell = active.length > 0 && active.every((provider) => provider.status === 'available') && redis !== 'unavailable';
    const status = allWell ? 'ok' : 'degraded';
    return { status, uptimeSeconds: Math.round((this.now() - this.startedAt) / 1000), version: this.deps.version, redis, providers };
  }

  /** Stops breaker timers; called once at shutdown. */
  close(): void {
    this.deploymentHealth.close();
  }

  private requireProvider(id: string) {
    const entry = this.deps.registry.get(id);
    if (entry === undefined) throw new GatewayError('not_found', `No provider with id "${id}".`, { param: 'id' });
    return entry;
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
