/**
 * Environment -> one frozen, typed configuration, read and validated once at start-up. A bad value
 * throws a ConfigError naming the variable, and `main.ts` stops the process with it.
 */

export type NodeEnv = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface UpstreamTimeouts {
  /** Until the upstream's response headers arrive. */
  readonly firstByteMs: number;
  /** Between two stream events; keep-alive comments do not count. */
  readonly idleMs: number;
  /** The whole upstream call, streams included. */
  readonly totalMs: number;
}

export interface OpenRouterConfig {
  readonly apiKey: string | undefined;
  readonly baseUrl: string;
  /** Attribution headers OpenRouter shows on its leaderboards. */
  readonly httpReferer: string | undefined;
  readonly appTitle: string | undefined;
}

export interface GatewayConfig {
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly maxBodyBytes: number;
  readonly sseHeartbeatMs: number;
  readonly graphqlIntrospection: boolean;
  readonly upstreamTimeouts: UpstreamTimeouts;
  readonly upstreamMaxSockets: number;
  readonly openrouter: OpenRouterConfig;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function readString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = readString(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function readBaseUrl(env: Env, name: string, fallback: string): string {
  const raw = readString(env, name) ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(name, `must use http or https, got "${url.protocol}"`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(name, 'must not embed credentials; use the API key variable');
  }
  return raw.replace(/\/+$/, '');
}

const SECOND = 1000;

export function loadConfig(env: Env = process.env): GatewayConfig {
  const nodeEnv = readEnum<NodeEnv>(env, 'NODE_ENV', ['development', 'production', 'test'], 'development');
  const config: GatewayConfig = {
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
    upstreamTimeouts: Object.freeze({
      firstByteMs: readInteger(env, 'UPSTREAM_FIRST_BYTE_TIMEOUT_MS', 60 * SECOND, 100, 3600 * SECOND),
      idleMs: readInteger(env, 'UPSTREAM_IDLE_TIMEOUT_MS', 120 * SECOND, 100, 3600 * SECOND),
      totalMs: readInteger(env, 'UPSTREAM_TOTAL_TIMEOUT_MS', 600 * SECOND, 100, 24 * 3600 * SECOND),
    }),
    upstreamMaxSockets: readInteger(env, 'UPSTREAM_MAX_SOCKETS', 512, 1, 65535),
    openrouter: Object.freeze({
      apiKey: readString(env, 'OPENROUTER_API_KEY'),
      baseUrl: readBaseUrl(env, 'OPENROUTER_BASE_URL', 'https://openrouter.ai/api/v1'),
      httpReferer: readString(env, 'OPENROUTER_HTTP_REFERER'),
      appTitle: readString(env, 'OPENROUTER_APP_TITLE'),
    }),
  };
  return Object.freeze(config);
}
