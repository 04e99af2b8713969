/**
 * Requests-per-minute and tokens-per-minute per client, shared by every replica through Redis
 * (rate-limiter-flexible). While Redis is away an in-process limiter takes over, per process,
 * until it returns. A store error is never a rejection: only a spent budget is.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { KeyLimits } from '../vocabulary/principal.js';
import type { RateLimitConfig } from '../config/load-config.js';
import { GatewayError } from '../errors.js';
import type { RateLimitState } from '../vocabulary/rate-limit-state.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { RedisConnection } from '../redis/redis-connection.js';

const WINDOW_SECONDS = 60;

export interface Admission {
  /** For `RateLimit-*` headers; undefined when requests are not limited. */
  readonly requests: RateLimitState | undefined;
  /** Corrects the token reservation with what the request really used. */
  settle(actualTokens: number): void;
}

/** A limit kept in Redis, with the in-process limiter that stands in while Redis is away. */
class SharedLimit {
  private readonly shared: RateLimiterAbstract | undefined;
  private readonly local: RateLimiterMemory;

  constructor(
    readonly points: number,
    prefix: string,
    private readonly redis: RedisConnection | undefined,
  ) {
    this.local = new RateLimiterMemory({ points, duration: WINDOW_SECONDS, keyPrefix: prefix });
    this.shared = redis === undefined ? undefined : new RateLimiterRedis({ storeClient: redis.client, points, duration: WINDOW_SECONDS, keyPrefix: prefix });
  }

  /** Resolves with the state, rejects with a RateLimiterRes when the budget is spent. */
  run(operation: (limiter: RateLimiterAbstract) => Promise<RateLimiterRes>): Promise<RateLimiterRes> {
    if (this.shared === undefined || this.redis === undefined || !this.redis.isReady()) return operation(this.local);
    return operation(this.shared).catch((error: unknown) => {
      if (error instanceof RateLimiterRes) throw error;
      this.redis?.reportFailure();
      return operation(this.local);
    });
  }
}

/** What a request no limit applies to is admitted with: nothing counted, nothing to settle. */
const UNLIMITED: Admission = Object.freeze({ requests: undefined, settle: () => {} });

export class ClientRateLimiter {
  /** One limiter per distinct limit value: keys with their own limits get their own. */
  private readonly limits = new Map<string, SharedLimit>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly redis: RedisConnection | undefined,
    private readonly logger: Logger,
    private readonly metrics?: GatewayMetrics,
  ) {}

  /**
   * Counts a request against its client's limits: `rate_limit_exceeded` when a budget is spent;
   * store failures let it through. A request no limit applies to (limits off, or off for its key)
   * is admitted at once, with no promise to wait a turn for.
   */
  admit(clientId: string, estimatedTokens: number, overrides: Partial<Pick<KeyLimits, 'requestsPerMinute' | 'tokensPerMinute'>> = {}): Admission | Promise<Admission> {
    const requestLimit = this.limitFor('rpm', overrides.requestsPerMinute ?? this.config.requestsPerMinute);
    const tokenLimit = this.limitFor('tpm', overrides.tokensPerMinute ?? this.config.tokensPerMinute);
    if (requestLimit === undefined && tokenLimit === undefined) return UNLIMITED;
    return this.admitLimited(clientId, estimatedTokens, requestLimit, tokenLimit);
  }

  private async admitLimited(clientId: string, estimatedTokens: number, requestLimit: SharedLimit | undefined, tokenLimit: SharedLimit | undefined): Promise<Admission> {
    const requests = requestLimit === undefined ? undefined : await this.consume(requestLimit, clientId, 1, 'requests');
    // A request larger than the whole budget could never pass; it still counts as the whole budget.
    const reserved = tokenLimit === undefined ? 0 : Math.min(estimatedTokens, tokenLimit.points);
    const tokens = tokenLimit === undefined ? undefined : await this.consume(tokenLimit, clientId, reserved, 'tokens');
    // A refund after the window rolled over would bank budget for the next window: none is given then.
    const windowEndsAt = Date.now() + (tokens?.resetSeconds ?? 0) * 1000;
    let settled = false;
    return {
      requests,
      settle: (actualTokens) => {
        if (settled || tokenLimit === undefined) return;
        settled = true;
        const difference = actualTokens - reserved;
        if (difference === 0 || (difference < 0 && Date.now() >= windowEndsAt)) return;
        tokenLimit
          .run((limiter) => (difference > 0 ? limiter.penalty(clientId, difference) : limiter.reward(clientId, -difference)))
          .catch((error: unknown) => this.logger.warn({ err: error }, 'token budget correction failed'));
      },
    };
  }

  private limitFor(kind: 'rpm' | 'tpm', points: number): SharedLimit | undefined {
    if (points <= 0) return undefined;
    const name = `${kind}:${points}`;
    let limit = this.limits.get(name);
    if (limit === undefined) {
      limit = new SharedLimit(points, `rl:${name}`, this.redis);
      this.limits.set(name, limit);
    }
    return limit;
  }

  private async consume(limit: SharedLimit, clientId: string, points: number, what: 'requests' | 'tokens'): Promise<RateLimitState | undefined> {
    if (points <= 0) return undefined;
    try {
      const result = await limit.run((limiter) => limiter.consume(clientId, points));
      return { limit: limit.points, remaining: Math.max(0, result.remainingPoints), resetSeconds: Math.ceil(result.msBeforeNext / 1000) };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        this.metrics?.countRateLimited(what);
        const resetSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new GatewayError('rate_limit_exceeded', `Rate limit reached: ${limit.points} ${what} per minute. Retry after the time in Retry-After.`, {
          retryAfterSeconds: resetSeconds,
          rateLimit: { limit: limit.points, remaining: 0, resetSeconds },
        });
      }
      this.logger.warn({ err: rejection, limit: what }, 'rate limiter failed; request let through');
      return undefined;
    }
  }
}
