/** The configuration's shape: one frozen object, read once at start-up by loadConfig. */
import type { ProviderKind, UpstreamTimeouts } from '../vocabulary/provider-settings.js';
import type { SecurityConfig } from './security.js';

export type { ProviderKind, UpstreamTimeouts };

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const PROVIDER_KINDS: readonly ProviderKind[] = ['openrouter', 'deepseek', 'openai-compatible'];

export interface RetryPolicy {
  /** Calls to one provider for one request, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this moves on to the next provider instead of waiting. */
  readonly maxRetryAfterMs: number;
}

/** Health of one deployment (provider + model + key): when its breaker opens and how it recovers. */
export interface BreakerPolicy {
  readonly errorThresholdPercentage: number;
  /** Calls in the rolling window before the error rate may open the breaker. */
  readonly volumeThreshold: number;
  /** Failures in a row that open the breaker whatever the rate. */
  readonly consecutiveFailures: number;
  /** The first open period; each re-opening without a success in between doubles it. */
  readonly resetTimeoutMs: number;
  /** The longest open period the doubling reaches. */
  readonly maxResetTimeoutMs: number;
  readonly rollingWindowMs: number;
}

/** One API key of a provider: deployments are per key, and keys are named by label, never shown. */
export interface ProviderKeyConfig {
  /** Stable and safe to log: the variable's name, or `VARIABLE#<sha256 prefix>` for one of several keys in a variable. */
  readonly label: string;
  /** undefined when the variable is not set: the provider is then not configured. */
  readonly key: string | undefined;
  readonly variable: string;
  /** Share of the provider's traffic this key takes, relative to its other keys. */
  readonly weight: number;
}

export interface ProviderConfig {
  readonly id: string;
  readonly kind: ProviderKind;
  readonly baseUrl: string;
  /** The first key (every key is in `keys`). */
  readonly apiKey: string | undefined;
  /** The variable holding the key; undefined for servers that need none (Ollama, vLLM). */
  readonly apiKeyVariable: string | undefined;
  /** Every key; empty for servers that need none. Each key is a deployment of every model. */
  readonly keys: readonly ProviderKeyConfig[];
  readonly headers: Readonly<Record<string, string>>;
  /** When set, only these models are served and any other is `model_not_found` before a call. */
  readonly models: readonly string[] | undefined;
  readonly enabled: boolean;
  readonly timeouts: UpstreamTimeouts;
  readonly retry: RetryPolicy;
  readonly breaker: BreakerPolicy;
  /** USD per million tokens by model, for providers that do not report cost themselves. */
  readonly pricing: Readonly<Record<string, ModelPrice>> | undefined;
  /**
   * Which `image_url` parts may be sent: a self-hosted server fetches URLs from inside the
   * operator's network. undefined lets every URL through (hosted providers).
   */
  readonly imageUrls: ImageUrlPolicy | undefined;
  /** The server also serves OpenAI's Responses API, so `/v1/responses` passes through to it. */
  readonly nativeResponses?: boolean;
  /** Where the server serves Anthropic's Messages API, so `/v1/messages` passes through to it. */
  readonly anthropicBaseUrl?: string;
}

export interface ImageUrlPolicy {
  /** URL schemes without the colon: `https`, `data`. */
  readonly schemes: readonly string[];
  /** Hosts allowed for non-data URLs (`*.example.com` for subdomains); undefined for any host. */
  readonly hosts: readonly string[] | undefined;
}

export interface ModelPrice {
  readonly promptPerMillion: number;
  readonly completionPerMillion: number;
}

export interface RoutingConfig {
  readonly defaultProvider: string;
  /** Used when a request names no model. */
  readonly defaultModel: string | undefined;
  /** Alias -> model, e.g. `fast` -> `deepseek/deepseek-chat`. */
  readonly aliases: Readonly<Record<string, string>>;
  /** Model or alias -> the steps to try in order, each `provider/model` or the name of a group. */
  readonly fallbacks: Readonly<Record<string, readonly string[]>>;
  /** A client-facing model name served by several deployments, load-balanced. */
  readonly groups: Readonly<Record<string, ModelGroupConfig>>;
}

export type BalancingStrategy = 'weighted' | 'least-busy' | 'lowest-latency';
export const BALANCING_STRATEGIES: readonly BalancingStrategy[] = ['weighted', 'least-busy', 'lowest-latency'];

export interface ModelGroupConfig {
  readonly strategy: BalancingStrategy;
  /** Each `provider/model` with its share of the group's traffic. */
  readonly deployments: readonly { readonly target: string; readonly weight: number }[];
}

/** How long a deployment or a key sits out after the upstream blamed it. */
export interface CooldownConfig {
  /** After a 429 without `Retry-After` (one with it is honoured, up to RETRY_MAX_RETRY_AFTER_MS). */
  readonly rateLimitedMs: number;
  /** After a 401, 402 or 403 on one of several keys: the key sits out for all its models. */
  readonly keyRejectedMs: number;
  /** Deployments whose health is kept at once; the least recently used beyond this are forgotten. */
  readonly maxDeployments: number;
  /** A deployment unused this long is forgotten (its breaker with it). */
  readonly idleMs: number;
}

export interface RetryBudgetConfig {
  /** Retries allowed as a share of requests in the last ten seconds. */
  readonly ratio: number;
  /** Retries always allowed per second, so a quiet gateway can still retry. */
  readonly minPerSecond: number;
}

export interface RedisConfig {
  /**
   * `redis://` or `rediss://` (TLS); undefined runs on in-process stores. With Sentinel or Cluster
   * it still carries the password, database and TLS choice for every node.
   */
  readonly url: string | undefined;
  /** Sentinel: the sentinels to ask and the name of the master they watch. */
  readonly sentinels: readonly { host: string; port: number }[];
  readonly sentinelName: string | undefined;
  /** Cluster: seed nodes; the rest are discovered. */
  readonly clusterNodes: readonly { host: string; port: number }[];
  readonly keyPrefix: string;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

export interface CacheConfig {
  readonly enabled: boolean;
  readonly ttlSeconds: number;
  /** Also cache requests sampled above temperature 0 (or without a temperature). */
  readonly cacheNondeterministic: boolean;
  readonly maxEntryBytes: number;
  /** Entries kept by the in-process cache used without Redis. */
  readonly memoryMaxEntries: number;
}

/** Responses API responses kept for `previous_response_id` and retrieval. */
export interface StoredResponsesConfig {
  readonly ttlSeconds: number;
  /** Kept in process without Redis, or while it is away (least recently used go first). */
  readonly memoryMaxEntries: number;
}

export interface RateLimitConfig {
  /** Requests per minute per client; 0 turns the limit off. */
  readonly requestsPerMinute: number;
  /** Tokens (prompt + completion) per minute per client; 0 turns the limit off. */
  readonly tokensPerMinute: number;
}

export interface GatewayConfig {
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly maxBodyBytes: number;
  readonly sseHeartbeatMs: number;
  readonly graphqlIntrospection: boolean;
  /** Everything one client request may take, retries and fallbacks included. */
  readonly requestTimeoutMs: number;
  readonly upstreamMaxSockets: number;
  readonly retryBudget: RetryBudgetConfig;
  readonly cooldowns: CooldownConfig;
  readonly providers: readonly ProviderConfig[];
  readonly routing: RoutingConfig;
  readonly redis: RedisConfig;
  readonly cache: CacheConfig;
  readonly storedResponses: StoredResponsesConfig;
  /** Usage is summed in process and written to the store this often. */
  readonly usageFlushMs: number;
  readonly rateLimit: RateLimitConfig;
  /** Express `trust proxy`: which hops may set X-Forwarded-For, so the client IP is the real one. */
  readonly trustProxy: string;
  readonly security: SecurityConfig;
  readonly observability: ObservabilityConfig;
}

export interface ObservabilityConfig {
  /** `pretty` for people at a terminal, `json` for log pipelines. */
  readonly logFormat: 'json' | 'pretty';
  /** Prompt and completion text in request logs: off unless asked for. */
  readonly logContent: boolean;
  /** A separate port for /metrics; 0 serves it on the main port. */
  readonly metricsPort: number;
  /** When set, /metrics needs `Authorization: Bearer <token>`. */
  readonly metricsToken: string | undefined;
  /** Readiness turns 503 at SIGTERM; the process waits this long for the load balancer to notice. */
  readonly shutdownDelayMs: number;
  /** Then open streams get this long to finish before they are ended with a terminal event. */
  readonly shutdownGraceMs: number;
  /** Readiness fails while event-loop delay (p99 over the last ten seconds) exceeds this. */
  readonly eventLoopLagMaxMs: number;
  /** OpenTelemetry tracing: on when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly tracing: { readonly enabled: boolean; readonly url: string | undefined; readonly serviceName: string; readonly content: boolean };
}
