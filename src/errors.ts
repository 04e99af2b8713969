/**
 * The one error catalog. Every failure a client can see has a stable code here with its HTTP
 * status, OpenAI error type and whether another attempt could succeed. REST and GraphQL render
 * the same code; a test keeps this table, the OpenAPI enum and the README in step.
 */

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'upstream_error'
  | 'server_error';

export interface ErrorSpec {
  readonly status: number;
  readonly type: OpenAIErrorType;
  /** The same provider may succeed if asked again. Drives retries. */
  readonly retryable: boolean;
  /** Another provider may succeed where this one failed. Drives fallback along a chain. */
  readonly fallback: boolean;
  /** The failure says the deployment is unhealthy. Counts towards opening its circuit breaker. */
  readonly countsAgainstProvider: boolean;
  /** The upstream asked to be left alone for a while (429): the deployment sits out, its health untouched. */
  readonly coolsDeployment: boolean;
  /** The upstream refused the key (401, 402, 403): the key sits out for every model. */
  readonly blamesKey: boolean;
  readonly description: string;
}

type Trait = 'retryable' | 'fallback' | 'countsAgainstProvider' | 'coolsDeployment' | 'blamesKey';

function spec<Status extends number, Type extends OpenAIErrorType>(status: Status, type: Type, traits: readonly Trait[], description: string) {
  return {
    status,
    type,
    retryable: traits.includes('retryable'),
    fallback: traits.includes('fallback'),
    countsAgainstProvider: traits.includes('countsAgainstProvider'),
    coolsDeployment: traits.includes('coolsDeployment'),
    blamesKey: traits.includes('blamesKey'),
    description,
  };
}

/**
 * Traits: `retryable` drives retries, `fallback` moves to another deployment or chain step,
 * `countsAgainstProvider` feeds the deployment's breaker, `coolsDeployment` and `blamesKey` set a
 * deployment or a key to sit out. Nothing a client caused carries any of the last three.
 */
export const errorCatalog = {
  invalid_request: spec(400, 'invalid_request_error', [], 'The request does not match the API schema; `param` names the field.'),
  invalid_json: spec(400, 'invalid_request_error', [], 'The request body is not valid JSON.'),
  unsupported_media_type: spec(415, 'invalid_request_error', [], 'The request body is not `application/json`.'),
  payload_too_large: spec(413, 'invalid_request_error', [], 'The request body is larger than the configured limit.'),
  unauthenticated: spec(401, 'authentication_error', [], 'No valid API key: send `Authorization: Bearer <key>` (graphql-ws: `connection_init` payload `{ "authorization": "Bearer <key>" }`).'),
  forbidden: spec(403, 'permission_error', [], 'The key is valid but may not do this (an admin operation with a client key, for example).'),
  model_not_allowed: spec(403, 'permission_error', [], "The key's allowed models do not include the requested one."),
  budget_exceeded: spec(402, 'permission_error', [], 'The key has spent its budget (USD).'),
  output_blocked: spec(403, 'permission_error', [], 'The answer matched an output block rule; in a stream this ends the stream as an error event.'),
  not_found: spec(404, 'not_found_error', [], 'No such route, or no such resource (an unknown provider id).'),
  method_not_allowed: spec(405, 'invalid_request_error', [], 'The path exists but not with this method; `Allow` lists the methods it takes.'),
  model_not_found: spec(404, 'not_found_error', ['fallback'], 'The model or provider named in `model` is unknown, or the provider does not serve it.'),
  provider_not_configured: spec(503, 'server_error', ['fallback'], 'The provider that would serve the request has no API key; the message names the variable to set.'),
  upstream_bad_request: spec(400, 'invalid_request_error', [], 'The provider rejected the request as invalid (HTTP 400/422 upstream).'),
  context_length_exceeded: spec(400, 'invalid_request_error', [], "The messages and `max_tokens` exceed the model's context window."),
  upstream_auth_failed: spec(502, 'upstream_error', ['fallback', 'blamesKey'], "The provider refused the gateway's API key (HTTP 401/403 upstream). An operator must fix the key."),
  upstream_insufficient_credits: spec(402, 'upstream_error', ['fallback', 'blamesKey'], "The provider account behind the gateway is out of credits (HTTP 402 upstream)."),
  upstream_content_blocked: spec(403, 'permission_error', [], "The provider's moderation blocked the input (OpenRouter's 403)."),
  upstream_rate_limited: spec(429, 'rate_limit_error', ['retryable', 'fallback', 'coolsDeployment'], 'The provider is rate limiting the gateway; `Retry-After` says when to try again.'),
  upstream_timeout: spec(504, 'upstream_error', ['retryable', 'fallback', 'countsAgainstProvider'], 'The provider did not answer, or stopped streaming, within the configured time.'),
  upstream_unavailable: spec(502, 'upstream_error', ['retryable', 'fallback', 'countsAgainstProvider'], 'The provider failed (HTTP 5xx upstream) or the connection to it failed.'),
  upstream_stream_error: spec(502, 'upstream_error', ['retryable', 'fallback', 'countsAgainstProvider'], 'The provider reported an error in the middle of a stream.'),
  upstream_stream_truncated: spec(502, 'upstream_error', ['retryable', 'fallback', 'countsAgainstProvider'], 'The provider closed the stream without finishing it (no `[DONE]` and no finish reason).'),
  rate_limit_exceeded: spec(429, 'rate_limit_error', ['retryable'], "The client used up its requests or tokens per minute; `Retry-After` says when to try again."),
  store_unavailable: spec(503, 'server_error', ['retryable'], 'Redis, which holds the data asked for (usage), cannot be reached right now.'),
  provider_disabled: spec(503, 'server_error', ['fallback'], 'An operator disabled the provider that would serve the request.'),
  providers_unavailable: spec(503, 'server_error', ['retryable'], "Every deployment that could serve the request is sitting out (circuit breakers open, rate-limit cooldowns, rejected keys) or disabled, and one is already being probed. `Retry-After` says when one is tried again."),
  shutting_down: spec(503, 'server_error', ['retryable'], 'This replica is shutting down: it takes no new requests, and a stream still open at the end of the grace period ends with this. Retry; the load balancer sends it elsewhere.'),
  internal_error: spec(500, 'server_error', [], 'A bug in the gateway. The message is masked; the log has the details under the request id.'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof errorCatalog;

/** Who caused an error, so operators tell an abusive client from a failing provider at a glance. */
export type Fault = 'caller' | 'policy' | 'provider' | 'gateway';

export const FAULT_BY_CODE: Readonly<Record<ErrorCode, Fault>> = {
  invalid_request: 'caller',
  invalid_json: 'caller',
  unsupported_media_type: 'caller',
  payload_too_large: 'caller',
  unauthenticated: 'caller',
  not_found: 'caller',
  method_not_allowed: 'caller',
  model_not_found: 'caller',
  upstream_bad_request: 'caller',
  context_length_exceeded: 'caller',
  upstream_content_blocked: 'caller',
  forbidden: 'policy',
  model_not_allowed: 'policy',
  budget_exceeded: 'policy',
  output_blocked: 'policy',
  rate_limit_exceeded: 'policy',
  upstream_auth_failed: 'provider',
  upstream_insufficient_credits: 'provider',
  upstream_rate_limited: 'provider',
  upstream_timeout: 'provider',
  upstream_unavailable: 'provider',
  upstream_stream_error: 'provider',
  upstream_stream_truncated: 'provider',
  providers_unavailable: 'provider',
  provider_not_configured: 'gateway',
  provider_disabled: 'gateway',
  store_unavailable: 'gateway',
  shutting_down: 'gateway',
  internal_error: 'gateway',
};

export const errorCodes = Object.keys(errorCatalog) as ErrorCode[];

export interface GatewayErrorOptions {
  /** The request field at fault, in the client's own naming (`messages[0].role`). */
  param?: string | null;
  /** Seconds until a retry may succeed; becomes the `Retry-After` header. */
  retryAfterSeconds?: number;
  /** The provider whose answer caused the error. */
  provider?: string;
  /** The methods a path takes; becomes the `Allow` header of a 405. */
  allow?: readonly string[];
  /** The spent limit, for the `RateLimit-*` headers a 429 carries like every other answer. */
  rateLimit?: { limit: number; remaining: number; resetSeconds: number };
  cause?: unknown;
}

export interface OpenAIErrorBody {
  error: {
    message: string;
    type: OpenAIErrorType;
    code: ErrorCode;
    param: string | null;
    provider?: string;
  };
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly retryable: boolean;
  readonly fallback: boolean;
  readonly countsAgainstProvider: boolean;
  readonly coolsDeployment: boolean;
  readonly blamesKey: boolean;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;
  readonly provider: string | undefined;
  readonly allow: readonly string[] | undefined;
  readonly rateLimit: GatewayErrorOptions['rateLimit'];

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const spec: ErrorSpec = errorCatalog[code];
    this.name = 'GatewayError';
    this.code = code;
    this.status = spec.status;
    this.type = spec.type;
    this.retryable = spec.retryable;
    this.fallback = spec.fallback;
    this.countsAgainstProvider = spec.countsAgainstProvider;
    this.coolsDeployment = spec.coolsDeployment;
    this.blamesKey = spec.blamesKey;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.provider = options.provider;
    this.allow = options.allow;
    this.rateLimit = options.rateLimit;
  }

  /** Headers the response must carry along with the status. */
  get headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.retryAfterSeconds !== undefined) headers['Retry-After'] = String(Math.max(0, Math.ceil(this.retryAfterSeconds)));
    if (this.allow !== undefined) headers.Allow = this.allow.join(', ');
    if (this.rateLimit !== undefined) {
      headers['RateLimit-Limit'] = String(this.rateLimit.limit);
      headers['RateLimit-Remaining'] = String(this.rateLimit.remaining);
      headers['RateLimit-Reset'] = String(this.rateLimit.resetSeconds);
    }
    return headers;
  }

  toBody(): OpenAIErrorBody {
    const error: OpenAIErrorBody['error'] = {
      message: this.message,
      type: this.type,
      code: this.code,
      param: this.param,
    };
    if (this.provider !== undefined) error.provider = this.provider;
    return { error };
  }
}

export function isGatewayError(value: unknown): value is GatewayError {
  return value instanceof GatewayError;
}

/** Anything that is not already a catalog error becomes a masked internal error. */
export function toGatewayError(value: unknown): GatewayError {
  if (isGatewayError(value)) return value;
  return new GatewayError('internal_error', 'Internal server error.', { cause: value });
}
