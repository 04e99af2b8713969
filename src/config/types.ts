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

export interface BreakerPolicy {
  readonly errorThresholdPercentage: number;
  /** Calls in the rolling window before the error rate may open the breaker. */
  readonly volumeThreshold: number;
  readonly resetTimeoutMs: number;
  readonly rollingWindowMs: number;
}

export interface ProviderConfig {
  readonly id: string;
  readonly kind: ProviderKind;
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  /** The variable holding the key; undefined for servers that need none (Ollama, vLLM). */
  readonly apiKeyVariable: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** When set, only these models are served and any other is `model_not_found` before a call. */
  readonly models: readonly string[] | undefined;
  readonly enabled: boolean;
  readonly timeouts: UpstreamTimeouts;
  readonly retry: RetryPolicy;
  readonly breaker: BreakerPolicy;
  /** USD per million tokens by model, for providers that do not report cost themselves. */
  readonly pricing: Readonly<Record<string, ModelPrice>> | undefined;
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
  /** Model or alias -> the targets to try in order, each `provider/model`. */
  readonly fallbacks: Readonly<Record<string, readonly string[]>>;
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
  readonly providers: readonly ProviderConfig[];
  readonly routing: RoutingConfig;
  readonly redis: RedisConfig;
  readonly cache: CacheConfig;
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
}
