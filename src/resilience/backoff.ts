/**
 * How long to wait before retrying the same provider: exponential backoff with full jitter, or the
 * provider's own `Retry-After` when it gave one and it is short enough to be worth waiting for.
 */
import type { RetryPolicy } from '../config/load-config.js';
import type { GatewayError } from '../errors.js';

/** `retryNumber` counts from 1 for the first retry. */
export function fullJitterDelayMs(retryNumber: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retryNumber - 1));
  return Math.floor(random() * ceiling);
}

/** undefined: do not retry this provider (the wait it asks for is longer than we are willing to). */
export function retryDelayMs(error: GatewayError, retryNumber: number, policy: RetryPolicy, random: () => number = Math.random): number | undefined {
  const jitter = fullJitterDelayMs(retryNumber, policy, random);
  if (error.retryAfterSeconds === undefined) return jitter;
  const asked = error.retryAfterSeconds * 1000;
  return asked > policy.maxRetryAfterMs ? undefined : Math.max(asked, jitter);
}
