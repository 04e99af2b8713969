/**
 * The security part of the configuration: who gets in, input limits, GraphQL and WebSocket
 * hardening, output filters, CORS and TLS. Secure by default: production refuses to start open
 * unless AUTH_DISABLED says so.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, readBoolean, readInteger, readString, type Env } from './env-readers.js';

export interface BootstrapKey {
  readonly name: string;
  readonly key: string;
}

export interface SecurityConfig {
  /** False only in development without any key, or with AUTH_DISABLED=true. */
  readonly authEnabled: boolean;
  readonly bootstrapKeys: readonly BootstrapKey[];
  readonly adminKey: string | undefined;
  readonly maxMessages: number;
  readonly maxMessageChars: number;
  /** Ceiling on max_tokens; 0 for none. */
  readonly maxTokensLimit: number;
  readonly corsOrigins: readonly string[];
  readonly graphql: { readonly maxDepth: number; readonly maxAliases: number; readonly maxFields: number; readonly maxTokens: number };
  readonly websocket: {
    readonly maxPayloadBytes: number;
    readonly connectionInitTimeoutMs: number;
    readonly maxConnectionsPerClient: number;
    readonly maxSubscriptionsPerConnection: number;
  };
  readonly output: {
    readonly redactPresets: readonly string[];
    readonly redactPattern: string | undefined;
    readonly blockPattern: string | undefined;
    /** Characters held back from a stream so a pattern split across chunks is still caught. */
    readonly holdbackChars: number;
  };
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
}

export const REDACT_PRESETS = ['email', 'card', 'secret'] as const;
const MIN_KEY_LENGTH = 20;
const KEY_CHARSET = /^[A-Za-z0-9._~+/=-]+$/;

function checkKey(variable: string, key: string): string {
  if (key.length < MIN_KEY_LENGTH) throw new ConfigError(variable, `keys must be at least ${MIN_KEY_LENGTH} characters`);
  if (!KEY_CHARSET.test(key)) throw new ConfigError(variable, 'keys may contain only letters, digits and . _ ~ + / = -');
  return key;
}

/** `API_KEYS=name:key,other:key2` or just `key,key2`. */
function readBootstrapKeys(env: Env): BootstrapKey[] {
  const raw = readString(env, 'API_KEYS');
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry, index) => {
      const colon = entry.indexOf(':');
      const name = colon === -1 ? `env-${index + 1}` : entry.slice(0, colon);
      return { name, key: checkKey('API_KEYS', colon === -1 ? entry : entry.slice(colon + 1)) };
    });
}

function readPattern(env: Env, name: string): string | undefined {
  const raw = readString(env, name);
  if (raw === undefined) return undefined;
  try {
    new RegExp(raw, 'g');
  } catch (error) {
    throw new ConfigError(name, `is not a valid regular expression: ${(error as Error).message}`);
  }
  return raw;
}

function readTls(env: Env): SecurityConfig['tls'] {
  const certFile = readString(env, 'TLS_CERT_FILE');
  const keyFile = readString(env, 'TLS_KEY_FILE');
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) throw new ConfigError(certFile === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE', 'must be set together with the other TLS file');
  const read = (variable: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(variable, `cannot be read (${file}): ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  };
  return { cert: read('TLS_CERT_FILE', certFile), key: read('TLS_KEY_FILE', keyFile) };
}

export function readSecurityConfig(env: Env, production: boolean): SecurityConfig {
  const bootstrapKeys = readBootstrapKeys(env);
  const adminKeyRaw = readString(env, 'ADMIN_API_KEY');
  const adminKey = adminKeyRaw === undefined ? undefined : checkKey('ADMIN_API_KEY', adminKeyRaw);
  if (adminKey !== undefined && bootstrapKeys.some((entry) => entry.key === adminKey)) {
    throw new ConfigError('ADMIN_API_KEY', 'must differ from every client key in API_KEYS');
  }
  const disabled = readBoolean(env, 'AUTH_DISABLED', false);
  const anyKey = bootstrapKeys.length > 0 || adminKey !== undefined;
  if (production && !disabled && !anyKey) {
    throw new ConfigError('API_KEYS', 'must be set in production (or ADMIN_API_KEY to create keys at run time, or AUTH_DISABLED=true to run open on purpose)');
  }
  const presets = (readString(env, 'OUTPUT_REDACT') ?? '').split(',').map((preset) => preset.trim()).filter((preset) => preset !== '');
  for (const preset of presets) {
    if (!(REDACT_PRESETS as readonly string[]).includes(preset)) throw new ConfigError('OUTPUT_REDACT', `knows ${REDACT_PRESETS.join(', ')}, not "${preset}"`);
  }
  return {
    authEnabled: !disabled && (production || anyKey),
    bootstrapKeys,
    adminKey,
    maxMessages: readInteger(env, 'MAX_MESSAGES', 2048, 1, 100_000),
    maxMessageChars: readInteger(env, 'MAX_MESSAGE_CHARS', 400_000, 1, 100_000_000),
    maxTokensLimit: readInteger(env, 'MAX_TOKENS_LIMIT', 0, 0, 10_000_000),
    corsOrigins: (readString(env, 'CORS_ORIGINS') ?? '').split(',').map((origin) => origin.trim()).filter((origin) => origin !== ''),
    graphql: {
      maxDepth: readInteger(env, 'GRAPHQL_MAX_DEPTH', 12, 2, 100),
      maxAliases: readInteger(env, 'GRAPHQL_MAX_ALIASES', 30, 0, 1000),
      maxFields: readInteger(env, 'GRAPHQL_MAX_FIELDS', 500, 10, 100_000),
      maxTokens: readInteger(env, 'GRAPHQL_MAX_TOKENS', 10_000, 100, 1_000_000),
    },
    websocket: {
      maxPayloadBytes: readInteger(env, 'WS_MAX_PAYLOAD_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      connectionInitTimeoutMs: readInteger(env, 'WS_CONNECTION_INIT_TIMEOUT_MS', 3_000, 100, 60_000),
      maxConnectionsPerClient: readInteger(env, 'WS_MAX_CONNECTIONS_PER_CLIENT', 20, 1, 100_000),
      maxSubscriptionsPerConnection: readInteger(env, 'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 10, 1, 10_000),
    },
    output: {
      redactPresets: presets,
      redactPattern: readPattern(env, 'OUTPUT_REDACT_REGEX'),
      blockPattern: readPattern(env, 'OUTPUT_BLOCK_REGEX'),
      holdbackChars: readInteger(env, 'OUTPUT_FILTER_HOLDBACK_CHARS', 64, 0, 4096),
    },
    tls: readTls(env),
  };
}
