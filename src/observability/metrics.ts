/**
 * Prometheus metrics (prom-client), one registry per app. Labels stay bounded: routes are
 * templates, models are counted only once a provider accepted them and at most MAX_MODEL_LABELS of
 * them get their own label, and no client key, prompt or error text is ever a label.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FAULT_BY_CODE, type ErrorCode } from '../errors.js';
import type { TokenUsage } from '../vocabulary/chat-request.js';
import type { BreakerState } from '../vocabulary/breaker-state.js';

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

  private readonly requestDuration = new Histogram({
    name: 'gateway_http_request_duration_seconds',
    help: 'HTTP requests by route template (or GraphQL operation type), method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly upstreamDuration = new Histogram({
    name: 'gateway_upstream_duration_seconds',
    help: 'Upstream calls by provider, model and outcome (success or catalog error code).',
    labelNames: ['provider', 'model', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly timeToFirstToken = new Histogram({
    name: 'gateway_time_to_first_token_seconds',
    help: 'From the request reaching the gateway to the first streamed token.',
    labelNames: ['provider', 'model'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'gateway_tokens_total',
    help: 'Tokens by provider, model and kind (prompt, completion, cached, reasoning).',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'gateway_cost_usd_total',
    help: 'Cost in USD, as reported by providers or from configured prices.',
    labelNames: ['provider', 'model'] as const,
    registers: [this.registry],
  });
  private readonly cache = new Counter({
    name: 'gateway_cache_requests_total',
    help: 'Response cache outcomes: hit, miss, bypass.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
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
  private readonly deploymentRequests = new Counter({
    name: 'gateway_deployment_requests_total',
    help: 'Upstream calls per deployment, by outcome (success or catalog error code).',
    labelNames: ['provider', 'model', 'key', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly routingDecisions = new Counter({
    name: 'gateway_routing_decisions_total',
    help: 'Deployments chosen by load balancing, by strategy.',
    labelNames: ['strategy', 'provider', 'key'] as const,
    registers: [this.registry],
  });
  private readonly activeStreams = new Gauge({
    name: 'gateway_active_streams',
    help: 'Open streams by transport (sse, graphql_ws).',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'gateway_errors_total',
    help: 'Errors returned to clients, by catalog code and by who caused them (caller, policy, provider, gateway).',
    labelNames: ['code', 'fault'] as const,
    registers: [this.registry],
  });
  private readonly genAiTokens = new Histogram({
    name: 'gen_ai_client_token_usage',
    help: 'OpenTelemetry GenAI gen_ai.client.token.usage: tokens per request by type (input, output).',
    labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_token_type'] as const,
    buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576],
    registers: [this.registry],
  });
  private readonly genAiFirstToken = new Histogram({
    name: 'gen_ai_server_time_to_first_token_seconds',
    help: 'OpenTelemetry GenAI gen_ai.server.time_to_first_token.',
    labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly genAiDuration = new Histogram({
    name: 'gen_ai_server_request_duration_seconds',
    help: 'OpenTelemetry GenAI gen_ai.server.request.duration: a chat request from admission to its last token.',
    labelNames: ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'error_type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly overhead = new Histogram({
    name: 'gateway_overhead_seconds',
    help: 'Time spent in the gateway itself, providers excluded: to the answer, or to the first streamed token.',
    labelNames: ['mode'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });
  private readonly redisUp = new Gauge({
    name: 'gateway_redis_up',
    help: '1 while Redis is usable, 0 while the gateway runs on in-process stores; absent without Redis.',
    registers: [this.registry],
  });

  constructor(options: { processMetrics: boolean } = { processMetrics: true }) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** A model label that cannot grow without bound. */
  modelLabel(model: string): string {
    if (this.knownModels.has(model)) return model;
    if (this.knownModels.size >= MAX_MODEL_LABELS) return OTHER;
    this.knownModels.add(model);
    return model;
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requestDuration.observe({ route, method, status: String(status) }, seconds);
  }

  /** `accepted` is false when the provider refused the model: its name is then not a label. */
  observeUpstream(provider: string, model: string, outcome: string, seconds: number, accepted: boolean): void {
    this.upstreamDuration.observe({ provider, model: accepted ? this.modelLabel(model) : OTHER, outcome }, seconds);
  }

  observeFirstToken(provider: string, model: string, seconds: number): void {
    const label = this.modelLabel(model);
    this.timeToFirstToken.observe({ provider, model: label }, seconds);
    this.genAiFirstToken.observe({ gen_ai_operation_name: 'chat', gen_ai_provider_name: provider, gen_ai_request_model: label }, seconds);
  }

  countUsage(provider: string, model: string, usage: TokenUsage | null, costUsd: number): void {
    const label = this.modelLabel(model);
    if (usage !== null) {
      this.tokens.inc({ provider, model: label, kind: 'prompt' }, usage.promptTokens);
      this.tokens.inc({ provider, model: label, kind: 'completion' }, usage.completionTokens);
      if (usage.cachedTokens) this.tokens.inc({ provider, model: label, kind: 'cached' }, usage.cachedTokens);
      if (usage.reasoningTokens) this.tokens.inc({ provider, model: label, kind: 'reasoning' }, usage.reasoningTokens);
    }
    if (costUsd > 0) this.cost.inc({ provider, model: label }, costUsd);
  }

  countCache(result: 'hit' | 'miss' | 'bypass'): void {
    this.cache.inc({ result });
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
    const labels = outcome === 'model_not_found' ? { provider: deployment.provider, model: OTHER, key: deployment.key } : this.deploymentLabels(deployment);
    this.deploymentRequests.inc({ ...labels, outcome });
  }

  countRoutingDecision(strategy: string, provider: string, key: string): void {
    this.routingDecisions.inc({ strategy, provider, key });
  }

  private deploymentLabels(deployment: DeploymentLabels): { provider: string; model: string; key: string } {
    return { provider: deployment.provider, model: this.modelLabel(deployment.model), key: deployment.key };
  }

  streamOpened(transport: Transport): void {
    this.activeStreams.inc({ transport });
  }

  streamClosed(transport: Transport): void {
    this.activeStreams.dec({ transport });
  }

  countError(code: string): void {
    this.errors.inc({ code, fault: Object.hasOwn(FAULT_BY_CODE, code) ? FAULT_BY_CODE[code as ErrorCode] : 'gateway' });
  }

  observeGenAiRequest(provider: string, model: string, usage: TokenUsage | null, seconds: number, errorType: string | undefined): void {
    const labels = { gen_ai_operation_name: 'chat', gen_ai_provider_name: provider, gen_ai_request_model: this.modelLabel(model) };
    if (usage !== null) {
      this.genAiTokens.observe({ ...labels, gen_ai_token_type: 'input' }, usage.promptTokens);
      this.genAiTokens.observe({ ...labels, gen_ai_token_type: 'output' }, usage.completionTokens);
    }
    this.genAiDuration.observe({ ...labels, error_type: errorType ?? '' }, seconds);
  }

  observeOverhead(mode: 'whole' | 'stream', seconds: number): void {
    this.overhead.observe({ mode }, Math.max(0, seconds));
  }

  setRedisUp(up: boolean): void {
    this.redisUp.set(up ? 1 : 0);
  }
}
