/** Per-request facts every gateway call needs, and what the gateway reports back to the adapter. */
import type { CacheDirectives, CacheStatus } from './cache-directives.js';
import type { TokenUsage } from './chat-request.js';
import type { Principal } from './principal.js';
import type { RateLimitState } from './rate-limit-state.js';

/** What the gateway learned while serving a request that only transport headers carry. */
export interface ResponseReport {
  rateLimit?: RateLimitState;
  /** Served by joining an identical request already in flight. */
  coalesced?: boolean;
  /** What served the request, for the request log line. */
  served?: { provider: string; model: string; attempts: number; cacheStatus: CacheStatus };
  usage?: TokenUsage | null;
  /** When the request arrived (performance.now()), for the gateway-overhead measure. */
  receivedAt?: number;
  /** Time spent waiting on providers (every attempt, to the answer or the first token), for the gateway-overhead measure. */
  upstreamMs?: number;
  /** Prompt and completion text, only when LOG_CONTENT is on. */
  content?: { prompt: unknown; completion: string | null };
}

/** Per-request facts every gateway call needs. */
export interface RequestContext {
  requestId: string;
  /** Who is asking: the rate-limit and usage key (the API key id; the client IP when authentication is off). */
  clientId: string;
  cache?: CacheDirectives;
  /** Filled in by the gateway for the adapter to render. */
  report?: ResponseReport;
  /** The authenticated caller; its key's limits apply. */
  principal?: Principal;
  /** Aborted when the client goes away; the upstream call is aborted with it. */
  signal: AbortSignal;
  /** The client's W3C `traceparent`: the parent of the request's span, forwarded upstream when not tracing. */
  traceparent?: string;
  /** OpenAI's `stream_options.include_usage`: usage in a chunk of its own, as OpenAI sends it. */
  includeUsageChunk?: boolean;
}
