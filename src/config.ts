/**
 * Environment -> one frozen, typed configuration, read and validated once at start-up. A bad value
 * throws a ConfigError naming the variable, and `main.ts` stops the process with it.
 */
import { ConfigError, readBaseUrl, readBoolean, readEnum, readInteger, readNumber, readString, type Env } from './config-readers.js';
import { readSecurityConfig, type SecurityConfig } from './config-security.js';
import { applyProvidersFile } from './providers-file.js';

export { ConfigError };

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type ProviderKind = 'openrouter' | 'deepseek' | 'openai-compatible';
export const PROVIDER_KINDS: readonly ProviderKind[] = ['openrouter', 'deepseek', 'openai-compatible'];

export interface UpstreamTimeouts {
  /** Until the TCP (and TLS) connection is up. */
  readonly connectMs: number;
  /** Until the upstream's response headers arrive. */
  readonly firstByteMs: number;
  /** Between two stream events; keep-alive comments do not count. */
  readonly idleMs: number;
  /** One upstream call, streams included. */
  readonly totalMs: number;
}

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

const SECOND = 1000;

function readTimeouts(env: Env): UpstreamTimeouts {
  return {
    connectMs: readInteger(env, 'UPSTREAM_CONNECT_TIMEOUT_MS', 10 * SECOND, 50, 600 * SECOND),
    firstByteMs: readInteger(env, 'UPSTREAM_FIRST_BYTE_TIMEOUT_MS', 60 * SECOND, 100, 3600 * SECOND),
    idleMs: readInteger(env, 'UPSTREAM_IDLE_TIMEOUT_MS', 120 * SECOND, 100, 3600 * SECOND),
    totalMs: readInteger(env, 'UPSTREAM_TOTAL_TIMEOUT_MS', 600 * SECOND, 100, 24 * 3600 * SECOND),
  };
}

function readRetry(env: Env): RetryPolicy {
  return {
    maxAttempts: readInteger(env, 'RETRY_MAX_ATTEMPTS', 2, 1, 10),
    baseDelayMs: readInteger(env, 'RETRY_BASE_DELAY_MS', 250, 0, 60 * SECOND),
    maxDelayMs: readInteger(env, 'RETRY_MAX_DELAY_MS', 4 * SECOND, 0, 300 * SECOND),
    maxRetryAfterMs: readInteger(env, 'RETRY_MAX_RETRY_AFTER_MS', 10 * SECOND, 0, 600 * SECOND),
  };
}

function readBreaker(env: Env): BreakerPolicy {
  return {
    errorThresholdPercentage: readInteger(env, 'BREAKER_ERROR_THRESHOLD_PERCENT', 50, 1, 100),
    volumeThreshold: readInteger(env, 'BREAKER_VOLUME_THRESHOLD', 5, 1, 10_000),
    resetTimeoutMs: readInteger(env, 'BREAKER_RESET_TIMEOUT_MS', 30 * SECOND, 100, 3600 * SECOND),
    rollingWindowMs: readInteger(env, 'BREAKER_ROLLING_WINDOW_MS', 10 * SECOND, 100, 3600 * SECOND),
  };
}

function builtInProviders(env: Env, timeouts: UpstreamTimeouts, retry: RetryPolicy, breaker: BreakerPolicy): ProviderConfig[] {
  const attribution: Record<string, string> = {};
  const referer = readString(env, 'OPENROUTER_HTTP_REFERER');
  const title = readString(env, 'OPENROUTER_APP_TITLE');
  if (referer !== undefined) attribution['HTTP-Referer'] = referer;
  if (title !== undefined) attribution['X-Title'] = title;
  const shared = { enabled: true, timeouts, retry, breaker };
  return [
    {
      ...shared,
      id: 'openrouter',
      kind: 'openrouter',
      baseUrl: readBaseUrl(env, 'OPENROUTER_BASE_URL', 'https://openrouter.ai/api/v1'),
      apiKey: readString(env, 'OPENROUTER_API_KEY'),
      apiKeyVariable: 'OPENROUTER_API_KEY',
      headers: attribution,
      models: undefined,
      pricing: undefined,
    },
    {
      ...shared,
      id: 'deepseek',
      kind: 'deepseek',
      baseUrl: readBaseUrl(env, 'DEEPSEEK_BASE_URL', 'https://api.deepseek.com'),
      apiKey: readString(env, 'DEEPSEEK_API_KEY'),
      apiKeyVariable: 'DEEPSEEK_API_KEY',
      headers: {},
      models: ['deepseek-chat', 'deepseek-reasoner'],
      pricing: undefined,
    },
  ];
}

/** `host:port,host:port`. */
function readHostList(env: Env, name: string): { host: string; port: number }[] {
  const raw = readString(env, name);
  if (raw === undefined) return [];
  return raw.split(',').map((entry) => {
    const match = /^\s*([^:\s]+):(\d{1,5})\s*$/.exec(entry);
    if (match === null) throw new ConfigError(name, `must be host:port pairs separated by commas, got "${entry}"`);
    return { host: match[1]!, port: Number(match[2]) };
  });
}

function readRedisUrl(env: Env): string | undefined {
  const raw = readString(env, 'REDIS_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError('REDIS_URL', `must use redis: or rediss:, got "${url.protocol}"`);
  return raw;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

export function loadConfig(env: Env = process.env): GatewayConfig {
  const nodeEnv = readEnum<NodeEnv>(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const timeouts = readTimeouts(env);
  const retry = readRetry(env);
  const breaker = readBreaker(env);
  const routing: RoutingConfig = {
    defaultProvider: readString(env, 'DEFAULT_PROVIDER') ?? 'openrouter',
    defaultModel: readString(env, 'DEFAULT_MODEL'),
    aliases: {},
    fallbacks: {},
  };
  const base = {
    providers: builtInProviders(env, timeouts, retry, breaker),
    routing,
  };
  const providersFile = readString(env, 'PROVIDERS_FILE');
  const { providers, routing: fileRouting } =
    providersFile === undefined ? base : applyProvidersFile(providersFile, base, env, { timeouts, retry, breaker });
  const finalRouting: RoutingConfig = {
    ...fileRouting,
    // The environment wins over the file, so one image can serve several deployments.
    defaultProvider: readString(env, 'DEFAULT_PROVIDER') ?? fileRouting.defaultProvider,
    defaultModel: readString(env, 'DEFAULT_MODEL') ?? fileRouting.defaultModel,
  };
  if ((readString(env, 'REDIS_SENTINELS') !== undefined || readString(env, 'REDIS_CLUSTER_NODES') !== undefined) && readString(env, 'REDIS_URL') === undefined) {
    throw new ConfigError('REDIS_URL', 'must be set with REDIS_SENTINELS or REDIS_CLUSTER_NODES (it carries the password and TLS choice)');
  }
  if (readString(env, 'REDIS_SENTINELS') !== undefined && readString(env, 'REDIS_SENTINEL_NAME') === undefined) {
    throw new ConfigError('REDIS_SENTINEL_NAME', 'must name the master the sentinels watch');
  }
  if (!providers.some((provider) => provider.id === finalRouting.defaultProvider)) {
    throw new ConfigError('DEFAULT_PROVIDER', `names no configured provider: "${finalRouting.defaultProvider}"`);
  }

  return deepFreeze<GatewayConfig>({
    nodeEnv,
    host: readString(env, 'HOST') ?? '0.0.0.0',
    port: readInteger(env, 'PORT', 8080, 0, 65535),
    logLevel: readEnum<LogLevel>(
      env,
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      nodeEnv === 'test' ? 'silent' : 'info',
    ),
    maxBodyBytes: readInteger(env, 'MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    sseHeartbeatMs: readInteger(env, 'SSE_HEARTBEAT_MS', 15 * SECOND, 100, 300 * SECOND),
    graphqlIntrospection: readBoolean(env, 'GRAPHQL_INTROSPECTION', nodeEnv !== 'production'),
    requestTimeoutMs: readInteger(env, 'REQUEST_TIMEOUT_MS', 900 * SECOND, 100, 24 * 3600 * SECOND),
    upstreamMaxSockets: readInteger(env, 'UPSTREAM_MAX_SOCKETS', 512, 1, 65535),
    retryBudget: {
      ratio: readNumber(env, 'RETRY_BUDGET_RATIO', 0.2, 0, 10),
      minPerSecond: readNumber(env, 'RETRY_BUDGET_MIN_PER_SECOND', 5, 0, 10_000),
    },
    providers,
    routing: finalRouting,
    redis: {
      url: readRedisUrl(env),
      sentinels: readHostList(env, 'REDIS_SENTINELS'),
      sentinelName: readString(env, 'REDIS_SENTINEL_NAME'),
      clusterNodes: readHostList(env, 'REDIS_CLUSTER_NODES'),
      keyPrefix: readString(env, 'REDIS_KEY_PREFIX') ?? 'llmgw:',
      commandTimeoutMs: readInteger(env, 'REDIS_COMMAND_TIMEOUT_MS', 250, 10, 60 * SECOND),
      connectTimeoutMs: readInteger(env, 'REDIS_CONNECT_TIMEOUT_MS', 2 * SECOND, 10, 60 * SECOND),
    },
    cache: {
      enabled: readBoolean(env, 'CACHE_ENABLED', true),
      ttlSeconds: readInteger(env, 'CACHE_TTL_SECONDS', 3600, 1, 30 * 24 * 3600),
      cacheNondeterministic: readBoolean(env, 'CACHE_NONDETERMINISTIC', false),
      maxEntryBytes: readInteger(env, 'CACHE_MAX_ENTRY_BYTES', 256 * 1024, 1024, 16 * 1024 * 1024),
      memoryMaxEntries: readInteger(env, 'CACHE_MEMORY_MAX_ENTRIES', 1000, 1, 1_000_000),
    },
    usageFlushMs: readInteger(env, 'USAGE_FLUSH_MS', 250, 1, 60 * SECOND),
    rateLimit: {
      requestsPerMinute: readInteger(env, 'RATE_LIMIT_RPM', 600, 0, 10_000_000),
      tokensPerMinute: readInteger(env, 'RATE_LIMIT_TPM', 1_000_000, 0, 10_000_000_000),
    },
    trustProxy: readString(env, 'TRUST_PROXY') ?? 'loopback, linklocal, uniquelocal',
    security: readSecurityConfig(env, nodeEnv === 'production'),
    observability: {
      logFormat: readEnum<'json' | 'pretty'>(env, 'LOG_FORMAT', ['json', 'pretty'], 'json'),
      logContent: readBoolean(env, 'LOG_CONTENT', false),
      metricsPort: readInteger(env, 'METRICS_PORT', 0, 0, 65535),
      metricsToken: readString(env, 'METRICS_TOKEN'),
      shutdownDelayMs: readInteger(env, 'SHUTDOWN_DELAY_MS', nodeEnv === 'production' ? 5 * SECOND : 0, 0, 300 * SECOND),
      shutdownGraceMs: readInteger(env, 'SHUTDOWN_GRACE_MS', 25 * SECOND, 0, 3600 * SECOND),
      eventLoopLagMaxMs: readInteger(env, 'EVENT_LOOP_LAG_MAX_MS', 1_000, 10, 60 * SECOND),
    },
  });
}
