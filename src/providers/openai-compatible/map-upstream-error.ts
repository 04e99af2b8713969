/**
 * Upstream failures -> catalog errors. The HTTP status decides the code; message text is read only
 * to tell a context-length 400 from other 400s, never to decide retries or fallback.
 */
import { GatewayError, type ErrorCode } from '../../errors.js';
import { CONNECT_TIMEOUT_CODE } from '../http/http-agents.js';
import { redactSecrets } from '../http/redact-secrets.js';
import type { WireCompletion, WireError } from './wire-types.js';

const CONTEXT_LENGTH_PATTERN = /context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long|reduce the length/i;

export interface UpstreamErrorSource {
  providerId: string;
  /** Values that must never be echoed: the provider key at least. */
  secrets: readonly (string | undefined)[];
}

function codeForStatus(status: number, message: string, error: WireError | undefined): ErrorCode {
  if (status === 400 || status === 422) {
    return CONTEXT_LENGTH_PATTERN.test(message) ? 'context_length_exceeded' : 'upstream_bad_request';
  }
  if (status === 401) return 'upstream_auth_failed';
  if (status === 402) return 'upstream_insufficient_credits';
  if (status === 403) {
    // OpenRouter's moderation block carries the flagged input; a bare 403 is a key problem.
    const metadata = error?.metadata;
    const moderated = metadata !== undefined && ('reasons' in metadata || 'flagged_input' in metadata);
    return moderated ? 'upstream_content_blocked' : 'upstream_auth_failed';
  }
  if (status === 404) return 'model_not_found';
  if (status === 408) return 'upstream_timeout';
  if (status === 413) return 'context_length_exceeded';
  if (status === 429) return 'upstream_rate_limited';
  if (status >= 500) return 'upstream_unavailable';
  return 'upstream_bad_request';
}

/** `Retry-After` is seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** The error object of a body, in OpenAI's, OpenRouter's or vLLM's shape. */
export function findWireError(body: unknown): WireError | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const completion = body as WireCompletion;
  if (completion.error !== undefined && completion.error !== null && typeof completion.error === 'object') {
    return completion.error;
  }
  if (completion.object === 'error') return { message: completion.message, code: completion.code };
  return undefined;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function mapHttpError(
  source: UpstreamErrorSource,
  status: number,
  bodyText: string,
  retryAfterHeader: string | undefined,
): GatewayError {
  const wireError = findWireError(parseBody(bodyText));
  const rawMessage = wireError?.message ?? (bodyText.trim() || `HTTP ${status}`);
  const message = redactSecrets(rawMessage, source.secrets);
  const code = codeForStatus(status, message, wireError);
  const retryAfterSeconds = parseRetryAfter(retryAfterHeader);
  return new GatewayError(code, `Provider ${source.providerId} answered ${status}: ${message}`, {
    provider: source.providerId,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

/** An error object found inside a 200 response or a stream event. */
export function mapInBandError(source: UpstreamErrorSource, error: WireError, midStream: boolean): GatewayError {
  const message = redactSecrets(error.message ?? 'unknown error', source.secrets);
  const status = typeof error.code === 'number' ? error.code : Number.parseInt(String(error.code ?? ''), 10);
  if (!midStream && Number.isInteger(status) && status >= 400 && status < 600) {
    return mapHttpError(source, status, JSON.stringify({ error: { ...error, message } }), undefined);
  }
  return new GatewayError(midStream ? 'upstream_stream_error' : 'upstream_unavailable', `Provider ${source.providerId} reported an error: ${message}`, {
    provider: source.providerId,
  });
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET']);

/**
 * A failure with no HTTP answer: refused, reset, DNS, TLS. The original error is not kept as the
 * cause: an HTTP client error holds the request config, Authorization header included.
 */
export function mapTransportError(source: UpstreamErrorSource, error: unknown, midStream: boolean): GatewayError {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === CONNECT_TIMEOUT_CODE) {
    return new GatewayError('upstream_timeout', `Provider ${source.providerId} did not accept a connection in time.`, {
      provider: source.providerId,
    });
  }
  const detail = typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('ERR_')) ? code : 'connection failed';
  return new GatewayError(
    midStream ? 'upstream_stream_error' : 'upstream_unavailable',
    midStream
      ? `The connection to provider ${source.providerId} was lost mid-stream (${detail}).`
      : `Could not reach provider ${source.providerId} (${detail}).`,
    { provider: source.providerId },
  );
}
