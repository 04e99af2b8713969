/**
 * Prometheus metrics (prom-client), one registry per app. Labels stay bounded: routes are
 * templates, models are counted only once a provider accepted them and at most MAX_MODEL_LABELS of
 * them get their own label, and no client key, prompt or error text is ever a label.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import { FAULT_BY_CODE, type ErrorCode } from '../errors.js';
import type { TokenUsage } from '../vocabulary/chat-request.js';
import type { BreakerState } from '../vocabulary/breaker-state.js';
import { SeriesCounter, SeriesHistogram, type RegistrableMetric } from './series-metrics.js';

const MAX_MODEL_LABELS = 200;
const OTHER = '_other';
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export type Transport = 'sse' | 'graphql_ws';

/** Key labels come from configuration and models are bounded by modelLabel, so these stay bounded. */
export interface DeploymentLabels {
  readonly provider: string;
  readonly model: string;
  readonly key: string;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly knownModels = new Set<string>();

  private readonly requestDuration = this.histogram(
    'gateway_http_request_duration_seconds',
    'HTTP requests by route template (or GraphQL operation type), method and status.',
    ['route', 'method', 'status'],
  );
  private readonly upstreamDuration = this.histogram(
    'gateway_upstream_duration_seconds',
    'Upstream calls by provider, model and outcome (success or catalog error code).',
    ['provider', 'model', 'outcome'],
  );
  private readonly timeToFirstToken = this.histogram(
    'gateway_time_to_first_token_seconds',
    'From the request reaching the gateway to the first streamed token.',
    ['provider', 'model'],
  );
  private readonly tokens = this.counter(
    'gateway_tokens_total',
    'Tokens by provider, model and kind (prompt, completion, cached, reasoning).',
    ['provider', 'model', 'kind'],
  );
  private readonly cost = this.counter(
    'gateway_cost_usd_total',
    'Cost in USD, as reported by providers or from configured prices.',
    ['provider', 'model'],
  );
  private readonly cache = this.counter(
    'gateway_cache_requests_total',
    'Response cache outcomes: hit, miss, bypass.',
    ['result'],
  );
  private readonly coalesced = new Counter({
    name: 'gateway_coalesced_requests_total',
    help: 'Requests served by joining an identical request in flight.',
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'gateway_rate_limit_rejections_total',
    help: 'Requests refused by a rate limit, by the limit that was spent.',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });
  private readonly retries = new Counter({
    name: 'gateway_retries_total',
    help: 'Retries of the same provider.',
    labelNames: ['provider'] as const,
    registers: [this.registry],
  });
  private readonly fallbacks = new Counter({
    name: 'gateway_fallbacks_total',
    help: 'Moves to the next target of a chain, by the provider left behind.',
    labelNames: ['from_provider'] as const,
    registers: [this.registry],
  });
  private readonly breakerState = new Gauge({
    name: 'gateway_circuit_breaker_state',
    help: 'Circuit breaker per deployment (provider, model, key label): 0 closed, 1 half-open, 2 open.',
    labelNames: ['provider', 'model', 'key'] as const,
    registers: [this.registry],
  });
  private readonly cooldowns = new Counter({
    name: 'gateway_deployment_cooldowns_total',
    help: 'Deployments and keys set to sit out, by reason (rate_limited, key_rejected, breaker_open).',
    labelNames: ['provider', 'model', 'key', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly deploymentRequests = this.counter(
    'gateway_deployment_requests_total',
    'Upstream calls per deployment, by outcome (success or catalog error code).',
    ['provider', 'model', 'key', 'outcome'],
  );
  private readonly routingDecisions = this.counter(
    'gateway_routing_decisions_total',
    'Deployments chosen by load balancing, by strategy.',
    ['strategy', 'provider', 'key'],
  );
  /** Open streams by transport, counted as plain numbers and read at scrape time: prom-client's `inc` hashes the labels on every call. */
  private readonly openStreams = new Map<Transport, number>();
  private readonly activeStreams = new Gauge({
    name: 'gateway_active_streams',
    help: 'Open streams by transport (sse, graphql_ws).',
    labelNames: ['transport'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [transport, open] of this.openStreams) this.activeStreams.set({ transport }, open);
    },
  });
  private readonly errors = this.counter(
    'gateway_errors_total',
    'Errors returned to clients, by catalog code and by who caused them (caller, policy, provider, gateway).',
    ['code', 'fault'],
  );
  private readonly genAiTokens = this.histogram(
    'gen_ai_client_token_usage',
    'OpenTelemetry GenAI gen_ai.client.token.usage: tokens per request by type (input, output).',
    ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_token_type'],
    [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576],
  );
  private readonly genAiFirstToken = this.histogram(
    'gen_ai_server_time_to_first_token_seconds',
    'OpenTelemetry GenAI gen_ai.server.time_to_first_token.',
    ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'],
  );
  private readonly genAiDuration = this.histogram(
    'gen_ai_server_request_duration_seconds',
    'OpenTelemetry GenAI gen_ai.server.request.duration: a chat request from admission to its last token.',
    ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'error_type'],
  );
  private readonly overhead = this.histogram(
    'gateway_overhead_seconds',
    'Time spent in the gateway itself, providers excluded: to the answer, or to the first streamed token.',
    ['mode'],
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
  );
  private readonly redisUp = new Gauge({
    name: 'gateway_redis_up',
    help: '1 while Redis is usable, 0 while the gateway runs on in-process stores; absent without Redis.',
    registers: [this.registry],
  });

  constructor(options: { processMetrics: boolean } = { processMetrics: true }) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  private histogram(name: string, help: string, labelNames: readonly string[], buckets: readonly number[] = LATENCY_BUCKETS): SeriesHistogram {
    return this.register(new SeriesHistogram(name, help, labelNames, buckets));
  }

  private counter(name: string, help: string, labelNames: readonly string[]): SeriesCounter {
    return this.register(new SeriesCounter(name, help, labelNames));
  }

  private register<T extends RegistrableMetric>(metric: T): T {
    // The registry only reads what RegistrableMetric declares; its type names prom-client's own classes.
    this.registry.registerMetric(metric as unknown as Metric);
    return metric;
  }

  /** A model label that cannot grow without bound. */
  modelLabel(model: string): string {
    if (this.knownModels.has(model)) return model;
    if (this.knownModels.size >= MAX_MODEL_LABELS) return OTHER;
    this.knownModels.add(model);
    return model;
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requestDuration.observe([route, method, String(status)], seconds);
  }

  /** `accepted` is false when the provider refused the model: its name is then not a label. */
  observeUpstream(provider: string, model: string, outcome: string, seconds: number, accepted: boolean): void {
    this.upstreamDuration.observe([provider, accepted ? this.modelLabel(model) : OTHER, outcome], seconds);
  }

  observeFirstToken(provider: string, model: string, seconds: number): void {
    const label = this.modelLabel(model);
    this.timeToFirstToken.observe([provider, label], seconds);
    this.genAiFirstToken.observe(['chat', provider, label], seconds);
  }

  countUsage(provider: string, model: string, usage: TokenUsage | null, costUsd: number): void {
    const label = this.modelLabel(model);
    if (usage !== null) {
      this.tokens.inc([provider, label, 'prompt'], usage.promptTokens);
      this.tokens.inc([provider, label, 'completion'], usage.completionTokens);
      if (usage.cachedTokens) this.tokens.inc([provider, label, 'cached'], usage.cachedTokens);
      if (usage.reasoningTokens) this.tokens.inc([provider, label, 'reasoning'], usage.reasoningTokens);
    }
    if (costUsd > 0) this.cost.inc([provider, label], costUsd);
  }

  countCache(result: 'hit' | 'miss' | 'bypass'): void {
    this.cache.inc([result]);
  }

  countCoalesced(): void {
    this.coalesced.inc();
  }

  countRateLimited(limit: 'requests' | 'tokens'): void {
    this.rateLimited.inc({ limit });
  }

  countRetry(provider: string): void {
    this.retries.inc({ provider });
  }

  countFallback(fromProvider: string): void {
    this.fallbacks.inc({ from_provider: fromProvider });
  }

  setDeploymentState(deployment: DeploymentLabels, state: BreakerState): void {
    this.breakerState.set(this.deploymentLabels(deployment), state === 'closed' ? 0 : state === 'half_open' ? 1 : 2);
  }

  /** A forgotten deployment leaves no stale series behind. */
  forgetDeployment(deployment: DeploymentLabels): void {
    this.breakerState.remove(this.deploymentLabels(deployment));
  }

  countCooldown(deployment: DeploymentLabels, reason: string): void {
    this.cooldowns.inc({ ...this.deploymentLabels(deployment), reason });
  }

  /** A model the provider refused (`model_not_found`) is not a label, as in observeUpstream. */
  countDeploymentRequest(deployment: DeploymentLabels, outcome: string): void {
    const model = outcome === 'model_not_found' ? OTHER : this.modelLabel(deployment.model);
    this.deploymentRequests.inc([deployment.provider, model, deployment.key, outcome]);
  }

  countRoutingDecision(strategy: string, provider: string, key: string): void {
    this.routingDecisions.inc([strategy, provider, key]);
  }

  private deploymentLabels(deployment: DeploymentLabels): { provider: string; model: string; key: string } {
    return { provider: deployment.provider, model: this.modelLabel(deployment.model), key: deployment.key };
  }

  streamOpened(transport: Transport): void {
    this.openStreams.set(transport, (this.openStreams.get(transport) ?? 0) + 1);
  }

  streamClosed(transport: Transport): void {
    this.openStreams.set(transport, (this.openStreams.get(transport) ?? 0) - 1);
  }

  countError(code: string): void {
    this.errors.inc([code, Object.hasOwn(FAULT_BY_CODE, code) ? FAULT_BY_CODE[code as ErrorCode] : 'gateway']);
  }

  observeGenAiRequest(provider: string, model: string, usage: TokenUsage | null, seconds: number, errorType: string | undefined): void {
    const label = this.modelLabel(model);
    if (usage !== null) {
      this.genAiTokens.observe(['chat', provider, label, 'input'], usage.promptTokens);
      this.genAiTokens.observe(['chat', provider, label, 'output'], usage.completionTokens);
    }
    this.genAiDuration.observe(['chat', provider, label, errorType ?? ''], seconds);
  }

  observeOverhead(mode: 'whole' | 'stream', seconds: number): void {
    this.overhead.observe([mode], Math.max(0, seconds));
  }

  setRedisUp(up: boolean): void {
    this.redisUp.set(up ? 1 : 0);
  }
}
