/**
 * The providers file (`PROVIDERS_FILE`, YAML or JSON): extra OpenAI-compatible providers,
 * overrides for the built-in ones, model aliases and fallback chains. Adding a provider of an
 * existing kind is a few lines here; no code changes.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { loadYaml } from '../json/load-yaml.js';
import { checkBaseUrl, ConfigError, type Env } from './env-readers.js';
import { keysInVariable, withFirstKey } from './provider-keys.js';
import type { BalancingStrategy, BreakerPolicy, ImageUrlPolicy, ModelGroupConfig, ModelPrice, ProviderConfig, ProviderKind, RetryPolicy, RoutingConfig, UpstreamTimeouts } from './types.js';

const VARIABLE = 'PROVIDERS_FILE';
const DEFAULT_SELF_HOSTED_IMAGE_URLS: ImageUrlPolicy = { schemes: ['https', 'data'], hosts: undefined };
const ID_PATTERN = '^[a-z0-9][a-z0-9_-]{0,62}$';
const positive = { type: 'integer', minimum: 1 };

/** 1 to 50 entries, each naming something and an optional positive weight (deployments, keys). */
function weightedList<Field extends string>(field: Field, schema: Record<string, unknown>) {
  return {
    type: 'array',
    minItems: 1,
    maxItems: 50,
    items: { type: 'object', additionalProperties: false, required: [field], properties: { [field]: schema, weight: { type: 'number', exclusiveMinimum: 0 } } },
  } as const;
}

const fileSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    defaultProvider: { type: 'string', pattern: ID_PATTERN },
    defaultModel: { type: 'string', minLength: 1 },
    aliases: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
    fallbacks: { type: 'object', additionalProperties: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'string', minLength: 1 } } },
    groups: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['deployments'],
        properties: {
          strategy: { enum: ['weighted', 'least-busy', 'lowest-latency'] },
          deployments: weightedList('target', { type: 'string', minLength: 3 }),
        },
      },
    },
    providers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: { type: 'string', pattern: ID_PATTERN },
          kind: { enum: ['openrouter', 'deepseek', 'openai-compatible'] },
          baseUrl: { type: 'string' },
          apiKeyEnv: { type: ['string', 'null'], pattern: '^[A-Z_][A-Z0-9_]*$' },
          keys: weightedList('env', { type: 'string', pattern: '^[A-Z_][A-Z0-9_]*$' }),
          headers: { type: 'object', additionalProperties: { type: 'string', pattern: '^[^\\r\\n]*$' } },
          nativeResponses: { type: 'boolean' },
          anthropicBaseUrl: { type: 'string' },
          models: { type: 'array', items: { type: 'string', minLength: 1 } },
          enabled: { type: 'boolean' },
          imageUrls: {
            type: 'object',
            additionalProperties: false,
            required: ['schemes'],
            properties: {
              schemes: { type: 'array', items: { enum: ['https', 'http', 'data'] } },
              hosts: { type: 'array', items: { type: 'string', minLength: 1 } },
            },
          },
          pricing: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              required: ['promptPerMillion', 'completionPerMillion'],
              properties: { promptPerMillion: { type: 'number', minimum: 0 }, completionPerMillion: { type: 'number', minimum: 0 } },
            },
          },
          timeouts: {
            type: 'object',
            additionalProperties: false,
            properties: { connectMs: positive, firstByteMs: positive, idleMs: positive, totalMs: positive },
          },
          retry: {
            type: 'object',
            additionalProperties: false,
            properties: {
              maxAttempts: { type: 'integer', minimum: 1, maximum: 10 },
              baseDelayMs: { type: 'integer', minimum: 0 },
              maxDelayMs: { type: 'integer', minimum: 0 },
              maxRetryAfterMs: { type: 'integer', minimum: 0 },
            },
          },
          breaker: {
            type: 'object',
            additionalProperties: false,
            properties: {
              errorThresholdPercentage: { type: 'integer', minimum: 1, maximum: 100 },
              volumeThreshold: positive,
              consecutiveFailures: positive,
              resetTimeoutMs: positive,
              maxResetTimeoutMs: positive,
              rollingWindowMs: positive,
            },
          },
        },
      },
    },
  },
} as const;

interface ProviderEntry {
  id: string;
  kind?: ProviderKind;
  baseUrl?: string;
  apiKeyEnv?: string | null;
  keys?: { env: string; weight?: number }[];
  headers?: Record<string, string>;
  nativeResponses?: boolean;
  anthropicBaseUrl?: string;
  models?: string[];
  enabled?: boolean;
  imageUrls?: { schemes: string[]; hosts?: string[] };
  pricing?: Record<string, ModelPrice>;
  timeouts?: Partial<UpstreamTimeouts>;
  retry?: Partial<RetryPolicy>;
  breaker?: Partial<BreakerPolicy>;
}

interface ProvidersFile {
  defaultProvider?: string;
  defaultModel?: string;
  aliases?: Record<string, string>;
  fallbacks?: Record<string, string[]>;
  groups?: Record<string, { strategy?: BalancingStrategy; deployments: { target: string; weight?: number }[] }>;
  providers?: ProviderEntry[];
}

interface Defaults {
  timeouts: UpstreamTimeouts;
  retry: RetryPolicy;
  breaker: BreakerPolicy;
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'the file' : error.instancePath;
  if (error.keyword === 'additionalProperties') return `${where} has an unknown field "${String(error.params.additionalProperty)}"`;
  return `${where} ${error.message ?? 'is invalid'}`;
}

function readFile(path: string): ProvidersFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(VARIABLE, `cannot be read (${path}): ${(error as NodeJS.ErrnoException).code ?? 'unknown error'}`);
  }
  let parsed: unknown;
  try {
    parsed = loadYaml().parse(text);
  } catch (error) {
    throw new ConfigError(VARIABLE, `is not valid YAML or JSON (${path}): ${(error as Error).message.split('\n')[0]}`);
  }
  const validate = new Ajv2020({ allErrors: false }).compile(fileSchema);
  if (!validate(parsed)) throw new ConfigError(VARIABLE, `(${path}): ${describe(validate.errors?.[0] as ErrorObject)}`);
  return parsed as ProvidersFile;
}

function merge(base: ProviderConfig | undefined, entry: ProviderEntry, index: number, env: Env, defaults: Defaults): ProviderConfig {
  const where = `${VARIABLE} providers[${index}] (${entry.id})`;
  const kind = entry.kind ?? base?.kind;
  if (kind === undefined) throw new ConfigError(where, 'needs a kind: openrouter, deepseek or openai-compatible');
  const baseUrlRaw = entry.baseUrl ?? base?.baseUrl;
  if (baseUrlRaw === undefined) throw new ConfigError(where, 'needs a baseUrl');
  const baseUrl = checkBaseUrl(`${where}.baseUrl`, baseUrlRaw);
  if (entry.keys !== undefined && entry.apiKeyEnv !== undefined) throw new ConfigError(where, 'takes apiKeyEnv or keys, not both');
  return {
    id: entry.id,
    kind,
    baseUrl,
    ...keysOf(entry, base, env),
    headers: { ...base?.headers, ...entry.headers },
    ...nativeProtocolsOf(entry, base, where),
    models: entry.models ?? base?.models,
    enabled: entry.enabled ?? base?.enabled ?? true,
    pricing: entry.pricing ?? base?.pricing,
    // A self-hosted OpenAI-compatible server fetches URLs from inside the operator's network: https and data: only by default.
    imageUrls: entry.imageUrls === undefined ? (base?.imageUrls ?? (kind === 'openai-compatible' ? DEFAULT_SELF_HOSTED_IMAGE_URLS : undefined)) : { schemes: entry.imageUrls.schemes, hosts: entry.imageUrls.hosts },
    timeouts: { ...(base?.timeouts ?? defaults.timeouts), ...entry.timeouts },
    retry: { ...(base?.retry ?? defaults.retry), ...entry.retry },
    breaker: { ...(base?.breaker ?? defaults.breaker), ...entry.breaker },
  };
}

/** The protocols the server speaks itself, besides chat completions. */
function nativeProtocolsOf(entry: ProviderEntry, base: ProviderConfig | undefined, where: string): Pick<ProviderConfig, 'nativeResponses' | 'anthropicBaseUrl'> {
  const nativeResponses = entry.nativeResponses ?? base?.nativeResponses;
  const anthropicBaseUrl = entry.anthropicBaseUrl === undefined ? base?.anthropicBaseUrl : checkBaseUrl(`${where}.anthropicBaseUrl`, entry.anthropicBaseUrl);
  return { ...(nativeResponses === undefined ? {} : { nativeResponses }), ...(anthropicBaseUrl === undefined ? {} : { anthropicBaseUrl }) };
}

/** `keys: [{ env, weight }]`, or `apiKeyEnv`, or the base provider's keys; none for servers that need no key. */
function keysOf(entry: ProviderEntry, base: ProviderConfig | undefined, env: Env): Pick<ProviderConfig, 'apiKey' | 'apiKeyVariable' | 'keys'> {
  if (entry.keys !== undefined) return withFirstKey(entry.keys.flatMap((key) => keysInVariable(env, key.env, key.weight ?? 1)), undefined);
  if (entry.apiKeyEnv === null) return { apiKey: undefined, apiKeyVariable: undefined, keys: [] };
  if (entry.apiKeyEnv !== undefined) return withFirstKey(keysInVariable(env, entry.apiKeyEnv), entry.apiKeyEnv);
  return base === undefined ? { apiKey: undefined, apiKeyVariable: undefined, keys: [] } : { apiKey: base.apiKey, apiKeyVariable: base.apiKeyVariable, keys: base.keys };
}

function checkTarget(target: string, providers: ProviderConfig[], where: string): void {
  const slash = target.indexOf('/');
  const provider = providers.find((candidate) => candidate.id === target.slice(0, slash));
  if (slash <= 0 || provider === undefined) throw new ConfigError(where, `target "${target}" must start with a configured provider id`);
  const model = target.slice(slash + 1);
  if (provider.models !== undefined && !provider.models.includes(model)) {
    throw new ConfigError(where, `target "${target}": provider ${provider.id} does not list model "${model}"`);
  }
}

function readGroups(file: ProvidersFile, providers: ProviderConfig[]): Record<string, ModelGroupConfig> {
  const groups: Record<string, ModelGroupConfig> = {};
  for (const [name, group] of Object.entries(file.groups ?? {})) {
    for (const { target } of group.deployments) checkTarget(target, providers, `${VARIABLE} groups.${name}`);
    groups[name] = { strategy: group.strategy ?? 'weighted', deployments: group.deployments.map(({ target, weight }) => ({ target, weight: weight ?? 1 })) };
  }
  return groups;
}

export function applyProvidersFile(
  path: string,
  base: { providers: ProviderConfig[]; routing: RoutingConfig },
  env: Env,
  defaults: Defaults,
): { providers: ProviderConfig[]; routing: RoutingConfig } {
  const file = readFile(path);
  const providers = [...base.providers];
  const seen = new Set<string>();
  for (const [index, entry] of (file.providers ?? []).entries()) {
    if (seen.has(entry.id)) throw new ConfigError(`${VARIABLE} providers[${index}]`, `repeats the id "${entry.id}"`);
    seen.add(entry.id);
    const existing = providers.findIndex((provider) => provider.id === entry.id);
    const merged = merge(existing === -1 ? undefined : providers[existing], entry, index, env, defaults);
    if (existing === -1) providers.push(merged);
    else providers[existing] = merged;
  }
  const groups = readGroups(file, providers);
  const fallbacks = file.fallbacks ?? {};
  for (const [name, targets] of Object.entries(fallbacks)) {
    for (const target of targets) if (groups[target] === undefined) checkTarget(target, providers, `${VARIABLE} fallbacks.${name}`);
  }
  return {
    providers,
    routing: {
      defaultProvider: file.defaultProvider ?? base.routing.defaultProvider,
      defaultModel: file.defaultModel ?? base.routing.defaultModel,
      aliases: file.aliases ?? {},
      fallbacks,
      groups,
    },
  };
}
