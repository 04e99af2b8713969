/**
 * Environment -> one frozen, typed configuration, read and validated once at start-up. A bad value
 * throws a ConfigError naming the variable, and `main.ts` stops the process with it.
 */
import { ConfigError, readBoolean, readEnum, readInteger, readNumber, readString, type Env } from './env-readers.js';
import { applyProvidersFile } from './providers-file.js';
import { readRedisConfig } from './redis-settings.js';
import { readSecurityConfig } from './security.js';
import type { GatewayConfig, LogLevel, NodeEnv, ObservabilityConfig, ProviderConfig, RoutingConfig } from './types.js';
import { builtInProviders, readBreaker, readCooldowns, readRetry, readTimeouts } from './upstream-policies.js';

export { ConfigError };
export type * from './types.js';

const SECOND = 1000;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Providers and routing: the built-in providers, then the providers file, then the environment's overrides. */
function readProvidersAndRouting(env: Env): { providers: ProviderConfig[]; routing: RoutingConfig } {
  const timeouts = readTimeouts(env);
  const retry = readRetry(env);
  const breaker = readBreaker(env);
  const base = {
    providers: builtInProviders(env, timeouts, retry, breaker),
    routing: { defaultProvider: readString(env, 'DEFAULT_PROVIDER') ?? 'openrouter', defaultModel: readString(env, 'DEFAULT_MODEL'), aliases: {}, fallbacks: {}, groups: {} },
  };
  const providersFile = readString(env, 'PROVIDERS_FILE');
  const { providers, routing } = providersFile === undefined ? base : applyProvidersFile(providersFile, base, env, { timeouts, retry, breaker });
  const finalRouting: RoutingConfig = {
    ...routing,
    // The environment wins over the file, so one image can serve several deployments.
    defaultProvider: readString(env, 'DEFAULT_PROVIDER') ?? routing.defaultProvider,
    defaultModel: readString(env, 'DEFAULT_MODEL') ?? routing.defaultModel,
  };
  if (!providers.some((provider) => provider.id === finalRouting.defaultProvider)) {
    throw new ConfigError('DEFAULT_PROVIDER', `names no configured provider: "${finalRouting.defaultProvider}"`);
  }
  return { providers, routing: finalRouting };
}

function readObservability(env: Env, nodeEnv: NodeEnv): ObservabilityConfig {
  return {
    logFormat: readEnum<'json' | 'pretty'>(env, 'LOG_FORMAT', ['json', 'pretty'], 'json'),
    logContent: readBoolean(env, 'LOG_CONTENT', false),
    metricsPort: readInteger(env, 'METRICS_PORT', 0, 0, 65535),
    metricsToken: readString(env, 'METRICS_TOKEN'),
    shutdownDelayMs: readInteger(env, 'SHUTDOWN_DELAY_MS', nodeEnv === 'production' ? 5 * SECOND : 0, 0, 300 * SECOND),
    shutdownGraceMs: readInteger(env, 'SHUTDOWN_GRACE_MS', 25 * SECOND, 0, 3600 * SECOND),
    eventLoopLagMaxMs: readInteger(env, 'EVENT_LOOP_LAG_MAX_MS', 1_000, 10, 60 * SECOND),
    tracing: readTracing(env),
  };
}

/** The standard OTEL_* variables: an OTLP endpoint turns tracing on; the exporter reads the rest itself. */
function readTracing(env: Env): ObservabilityConfig['tracing'] {
  const tracesEndpoint = readString(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const endpoint = readString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  // As the OTLP specification says: the signal endpoint is used as is; the base endpoint gets /v1/traces.
  const url = tracesEndpoint ?? (endpoint === undefined ? undefined : `${endpoint.replace(/\/+$/, '')}/v1/traces`);
  const disabled = readBoolean(env, 'OTEL_SDK_DISABLED', false) || readString(env, 'OTEL_TRACES_EXPORTER') === 'none';
  return { enabled: url !== undefined && !disabled, url, serviceName: readString(env, 'OTEL_SERVICE_NAME') ?? 'llm-gateway', content: readBoolean(env, 'LOG_CONTENT', false) };
}

function readStores(env: Env): Pick<GatewayConfig, 'redis' | 'cache' | 'storedResponses' | 'usageFlushMs' | 'rateLimit'> {
  return {
    redis: readRedisConfig(env),
    cache: {
      enabled: readBoolean(env, 'CACHE_ENABLED', true),
      ttlSeconds: readInteger(env, 'CACHE_TTL_SECONDS', 3600, 1, 30 * 24 * 3600),
      cacheNondeterministic: readBoolean(env, 'CACHE_NONDETERMINISTIC', false),
      maxEntryBytes: readInteger(env, 'CACHE_MAX_ENTRY_BYTES', 256 * 1024, 1024, 16 * 1024 * 1024),
      memoryMaxEntries: readInteger(env, 'CACHE_MEMORY_MAX_ENTRIES', 1000, 1, 1_000_000),
    },
    storedResponses: {
      ttlSeconds: readInteger(env, 'RESPONSES_TTL_SECONDS', 7 * 24 * 3600, 60, 90 * 24 * 3600),
      memoryMaxEntries: readInteger(env, 'RESPONSES_MEMORY_MAX_ENTRIES', 1000, 1, 1_000_000),
    },
    usageFlushMs: readInteger(env, 'USAGE_FLUSH_MS', 250, 1, 60 * SECOND),
    rateLimit: {
      requestsPerMinute: readInteger(env, 'RATE_LIMIT_RPM', 600, 0, 10_000_000),
      tokensPerMinute: readInteger(env, 'RATE_LIMIT_TPM', 1_000_000, 0, 10_000_000_000),
    },
  };
}

export function loadConfig(env: Env = process.env): GatewayConfig {
  const nodeEnv = readEnum<NodeEnv>(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const security = readSecurityConfig(env, nodeEnv === 'production');
  return deepFreeze<GatewayConfig>({
    nodeEnv,
    // An open gateway (no keys, outside production) listens on loopback only unless HOST says otherwise:
    // a laptop on a shared network must not expose provider credits and admin routes by default.
    host: readString(env, 'HOST') ?? (security.authEnabled ? '0.0.0.0' : '127.0.0.1'),
    port: readInteger(env, 'PORT', 8080, 0, 65535),
    logLevel: readEnum<LogLevel>(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], nodeEnv === 'test' ? 'silent' : 'info'),
    maxBodyBytes: readInteger(env, 'MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
    sseHeartbeatMs: readInteger(env, 'SSE_HEARTBEAT_MS', 15 * SECOND, 100, 300 * SECOND),
    graphqlIntrospection: readBoolean(env, 'GRAPHQL_INTROSPECTION', nodeEnv !== 'production'),
    requestTimeoutMs: readInteger(env, 'REQUEST_TIMEOUT_MS', 900 * SECOND, 100, 24 * 3600 * SECOND),
    upstreamMaxSockets: readInteger(env, 'UPSTREAM_MAX_SOCKETS', 512, 1, 65535),
    retryBudget: {
      ratio: readNumber(env, 'RETRY_BUDGET_RATIO', 0.2, 0, 10),
      minPerSecond: readNumber(env, 'RETRY_BUDGET_MIN_PER_SECOND', 5, 0, 10_000),
    },
    cooldowns: readCooldowns(env),
    ...readProvidersAndRouting(env),
    ...readStores(env),
    trustProxy: readString(env, 'TRUST_PROXY') ?? 'loopback, linklocal, uniquelocal',
    security,
    observability: readObservability(env, nodeEnv),
  });
}
