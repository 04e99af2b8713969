import { expect } from 'chai';
import { GatewayError } from '../../src/errors.js';
import { fullJitterDelayMs, retryDelayMs } from '../../src/resilience/backoff.js';
import { RetryBudget } from '../../src/resilience/retry-budget.js';

const policy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

describe('retry backoff', () => {
  it('grows exponentially under a cap, with full jitter', () => {
    expect(fullJitterDelayMs(1, policy, () => 0.999)).to.equal(99);
    expect(fullJitterDelayMs(3, policy, () => 0.999)).to.equal(399);
    expect(fullJitterDelayMs(10, policy, () => 0.999)).to.equal(999);
    expect(fullJitterDelayMs(3, policy, () => 0)).to.equal(0);
  });

  it('waits at least what Retry-After asks, and gives up on waits above the limit', () => {
    const short = new GatewayError('upstream_rate_limited', 'x', { retryAfterSeconds: 2 });
    const long = new GatewayError('upstream_rate_limited', 'x', { retryAfterSeconds: 60 });
    expect(retryDelayMs(short, 1, policy, () => 0.5)).to.equal(2000);
    expect(retryDelayMs(long, 1, policy, () => 0.5)).to.equal(undefined);
  });
});

describe('retry budget', () => {
  it('allows a floor of retries, then a share of traffic, then refuses (no retry storm)', () => {
    let now = 1_000_000;
    const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 1 }, () => now);
    for (let i = 0; i < 100; i++) budget.recordRequest();
    // floor 1/s over 10 s = 10, plus 10% of 100 requests = 10.
    let granted = 0;
    while (budget.tryRetry()) granted++;
    expect(granted).to.equal(20);
    now += 11_000;
    expect(budget.tryRetry()).to.equal(true);
  });
});
