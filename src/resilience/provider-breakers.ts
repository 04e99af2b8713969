/**
 * One opossum circuit breaker per provider. A call takes a ticket and settles it when it really
 * ends, so a stream that fails after its first byte still counts. Client-caused errors settle as
 * successes: only failures the catalog marks `countsAgainstProvider` can open a breaker.
 */
import CircuitBreaker from 'opossum';
import type { BreakerPolicy } from '../config/load-config.js';
import { isGatewayError } from '../errors.js';
import type { BreakerState } from '../vocabulary/breaker-state.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';

export interface BreakerTicket {
  succeed(): void;
  fail(error: unknown): void;
}

interface Entry {
  breaker: CircuitBreaker<[() => Promise<void>], void>;
  openedAt: number | undefined;
  resetTimeoutMs: number;
}

const BUCKETS = 10;

export class ProviderBreakers {
  private readonly entries = new Map<string, Entry>();

  constructor(
    policies: ReadonlyMap<string, BreakerPolicy>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly metrics?: GatewayMetrics,
  ) {
    for (const [providerId, policy] of policies) {
      this.entries.set(providerId, this.create(providerId, policy));
      metrics?.setBreakerState(providerId, 'closed');
    }
  }

  /** A ticket for one call, or undefined when the breaker rejects calls right now. */
  admit(providerId: string): BreakerTicket | undefined {
    const entry = this.entries.get(providerId);
    if (entry === undefined) return { succeed: () => undefined, fail: () => undefined };
    let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
    const outcome = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    let admitted = false;
    // opossum runs the action synchronously when it admits the call, so `admitted` is set now.
    entry.breaker
      .fire(() => {
        admitted = true;
        return outcome;
      })
      .catch(() => undefined);
    if (!admitted) return undefined;
    let settled = false;
    return {
      succeed: () => {
        if (!settled) settle?.resolve();
        settled = true;
      },
      fail: (error) => {
        if (!settled) settle?.reject(error);
        settled = true;
      },
    };
  }

  state(providerId: string): BreakerState {
    const breaker = this.entries.get(providerId)?.breaker;
    if (breaker === undefined || breaker.closed) return 'closed';
    return breaker.halfOpen ? 'half_open' : 'open';
  }

  /** Until the open breaker lets a probe through; 0 when it is not open. */
  msUntilProbe(providerId: string): number {
    const entry = this.entries.get(providerId);
    if (entry === undefined || entry.openedAt === undefined || this.state(providerId) !== 'open') return 0;
    return Math.max(0, entry.openedAt + entry.resetTimeoutMs - this.now());
  }

  shutdown(): void {
    for (const entry of this.entries.values()) entry.breaker.shutdown();
  }

  private create(providerId: string, policy: BreakerPolicy): Entry {
    const breaker = new CircuitBreaker<[() => Promise<void>], void>((work) => work(), {
      // Streams run for minutes; upstream deadlines bound each call instead.
      timeout: false,
      errorThresholdPercentage: policy.errorThresholdPercentage,
      volumeThreshold: policy.volumeThreshold,
      resetTimeout: policy.resetTimeoutMs,
      rollingCountTimeout: policy.rollingWindowMs,
      rollingCountBuckets: BUCKETS,
      errorFilter: (error: unknown) => !(isGatewayError(error) && error.countsAgainstProvider),
    });
    const entry: Entry = { breaker, openedAt: undefined, resetTimeoutMs: policy.resetTimeoutMs };
    breaker.on('open', () => {
      entry.openedAt = this.now();
      this.metrics?.setBreakerState(providerId, 'open');
      this.logger.warn({ provider: providerId, breaker: 'open', resetTimeoutMs: policy.resetTimeoutMs }, `circuit breaker for ${providerId} opened`);
    });
    breaker.on('halfOpen', () => this.metrics?.setBreakerState(providerId, 'half_open'));
    breaker.on('halfOpen', () => this.logger.info({ provider: providerId, breaker: 'half_open' }, `circuit breaker for ${providerId} is letting a probe through`));
    breaker.on('close', () => {
      entry.openedAt = undefined;
      this.metrics?.setBreakerState(providerId, 'closed');
      this.logger.info({ provider: providerId, breaker: 'closed' }, `circuit breaker for ${providerId} closed`);
    });
    return entry;
  }
}
