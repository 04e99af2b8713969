/**
 * Requests-per-minute and tokens-per-minute per client, shared by every replica through Redis
 * (rate-limiter-flexible). When Redis fails, an in-process insurance limiter takes over, per
 * process, until it returns. A store error is never a rejection: only a spent budget is.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RateLimitConfig } from '../config.js';
import { GatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { RedisConnection } from '../store/redis-connection.js';

const WINDOW_SECONDS = 60;

export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

export interface Admission {
  /** For `RateLimit-*` headers; undefined when requests are not limited. */
  readonly requests: RateLimitState | undefined;
  /** Corrects the token reservation with what the request really used. */
  settle(actualTokens: number): void;
}

function limiter(points: number, prefix: string, redis: RedisConnection | undefined): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ points, duration: WINDOW_SECONDS, keyPrefix: prefix });
  if (redis === undefined) return memory;
  return new RateLimiterRedis({
    storeClient: redis.client,
    points,
    duration: WINDOW_SECONDS,
    keyPrefix: prefix,
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
}

function toState(limit: number, result: RateLimiterRes): RateLimitState {
  return { limit, remaining: Math.max(0, result.remainingPoints), resetSeconds: Math.ceil(result.msBeforeNext / 1000) };
}

export class ClientRateLimiter {
  private readonly requestLimiter: RateLimiterAbstract | undefined;
  private readonly tokenLimiter: RateLimiterAbstract | undefined;

  constructor(
    private readonly config: RateLimitConfig,
    redis: RedisConnection | undefined,
    private readonly logger: Logger,
  ) {
    this.requestLimiter = config.requestsPerMinute > 0 ? limiter(config.requestsPerMinute, 'rl:rpm', redis) : undefined;
    this.tokenLimiter = config.tokensPerMinute > 0 ? limiter(config.tokensPerMinute, 'rl:tpm', redis) : undefined;
  }

  /** Throws `rate_limit_exceeded` when the client's budget is spent; store failures let it through. */
  async admit(clientId: string, estimatedTokens: number): Promise<Admission> {
    const requests = await this.consume(this.requestLimiter, this.config.requestsPerMinute, clientId, 1, 'requests');
    // A request larger than the whole budget could never pass; it still counts as the whole budget.
    const reserved = Math.min(estimatedTokens, this.config.tokensPerMinute);
    await this.consume(this.tokenLimiter, this.config.tokensPerMinute, clientId, reserved, 'tokens');
    let settled = false;
    return {
      requests,
      settle: (actualTokens) => {
        if (settled || this.tokenLimiter === undefined) return;
        settled = true;
        const difference = actualTokens - reserved;
        const correction = difference > 0 ? this.tokenLimiter.penalty(clientId, difference) : difference < 0 ? this.tokenLimiter.reward(clientId, -difference) : undefined;
        correction?.catch((error: unknown) => this.logger.warn({ err: error }, 'token budget correction failed'));
      },
    };
  }

  private async consume(
    target: RateLimiterAbstract | undefined,
    limit: number,
    clientId: string,
    points: number,
    what: 'requests' | 'tokens',
  ): Promise<RateLimitState | undefined> {
    if (target === undefined || points <= 0) return undefined;
    try {
      return toState(limit, await target.consume(clientId, points));
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw new GatewayError('rate_limit_exceeded', `Rate limit reached: ${limit} ${what} per minute. Retry after the time in Retry-After.`, {
          retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        });
      }
      this.logger.warn({ err: rejection, limit: what }, 'rate limiter store failed; request let through');
      return undefined;
    }
  }
}
