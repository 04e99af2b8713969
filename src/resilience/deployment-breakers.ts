/**
 * One opossum circuit breaker per deployment (provider + model + key), created on first use and
 * bounded in number, so a flood of invented model names cannot grow memory. A breaker opens on real
 * evidence: enough calls in the window with the error rate over the threshold (opossum's own rule),
 * or a run of consecutive failures. Each re-opening without a success in between doubles the open
 * period up to a cap. Only failures the catalog marks `countsAgainstProvider` count.
 */
import CircuitBreaker from 'opossum';
import type { BreakerPolicy } from '../config/types.js';
import { isGatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { BreakerState } from '../vocabulary/breaker-state.js';
import { BreakerTicket, startCall, type BreakerCall, type DeploymentTicket, type TicketHooks } from './breaker-ticket.js';

/** Who a deployment is, for logs and metric labels. */
export interface DeploymentName {
  readonly id: string;
  readonly provider: string;
  readonly model: string;
  readonly key: string;
}

export type { DeploymentTicket } from './breaker-ticket.js';

interface Entry {
  readonly name: DeploymentName;
  readonly policy: BreakerPolicy;
  readonly breaker: CircuitBreaker<[BreakerCall], void>;
  consecutiveFailures: number;
  opens: number;
  openedAt: number | undefined;
  openUntil: number | undefined;
  lastUsed: number;
  forcedProbe: boolean;
  rearming: boolean;
}

function ignore(): void {}

const BUCKETS = 10;
/** An abandoned probe puts the breaker back to half-open after this, so the next request probes. */
const REARM_MS = 1;

export interface BreakerLimits {
  readonly maxDeployments: number;
  readonly idleMs: number;
}

export type BreakerListener = (name: DeploymentName, state: BreakerState, openUntil: number | undefined) => void;

export class DeploymentBreakers {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners: BreakerListener[] = [];
  private readonly ticketHooks: TicketHooks<Entry> = {
    succeeded: (entry) => {
      entry.consecutiveFailures = 0;
    },
    countFailure: (entry, error) => this.countFailure(entry, error),
    rearm: (entry) => this.rearm(entry),
  };

  constructor(
    private readonly policyFor: (providerId: string) => BreakerPolicy,
    private readonly limits: BreakerLimits,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly metrics?: GatewayMetrics,
  ) {}

  /** Called on every state change (shared health publishes opens to other replicas). */
  onChange(listener: BreakerListener): void {
    this.listeners.push(listener);
  }

  /**
   * A ticket for one call, or undefined when the breaker turns calls away. `forceProbe` lets one
   * call through an open breaker (at most one at a time), for when every deployment is open.
   */
  admit(name: DeploymentName, forceProbe = false): DeploymentTicket | undefined {
    const entry = this.entry(name);
    entry.lastUsed = this.now();
    if (entry.breaker.opened) return forceProbe && !entry.forcedProbe ? this.forcedTicket(entry) : undefined;
    const ticket = new BreakerTicket(entry, entry.breaker.halfOpen, this.ticketHooks);
    // opossum runs the action synchronously when it admits the call, so the ticket knows now.
    entry.breaker.fire(ticket).catch(ignore);
    return ticket.admitted ? ticket : undefined;
  }

  /** A stream that failed after its ticket was settled (a probe settles at its first token). */
  recordLateFailure(name: DeploymentName, error: unknown): void {
    const entry = this.entries.get(name.id);
    if (entry === undefined || !countsAgainst(error)) return;
    if (entry.breaker.closed) {
      // Into the rolling window, where the error rate may open it.
      entry.breaker.fire({ start: () => Promise.reject(error) }).catch(ignore);
    }
    this.countFailure(entry, error);
  }

  state(id: string): BreakerState {
    const breaker = this.entries.get(id)?.breaker;
    if (breaker === undefined || breaker.closed) return 'closed';
    return breaker.halfOpen ? 'half_open' : 'open';
  }

  openedAt(id: string): number | undefined {
    return this.state(id) === 'open' ? this.entries.get(id)?.openedAt : undefined;
  }

  /** Until the open breaker lets a probe through; 0 when it is not open. */
  msUntilProbe(id: string): number {
    const entry = this.entries.get(id);
    if (entry?.openUntil === undefined || this.state(id) !== 'open') return 0;
    return Math.max(0, entry.openUntil - this.now());
  }

  failuresInWindow(id: string): number {
    return this.entries.get(id)?.breaker.stats.failures ?? 0;
  }

  /** The deployments tracked now, most recently used last. */
  known(): DeploymentName[] {
    return [...this.entries.values()].map((entry) => entry.name);
  }

  shutdown(): void {
    for (const entry of this.entries.values()) entry.breaker.shutdown();
    this.entries.clear();
  }

  private entry(name: DeploymentName): Entry {
    let entry = this.entries.get(name.id);
    if (entry !== undefined) {
      // Re-inserting keeps the Map in least-recently-used order.
      this.entries.delete(name.id);
      this.entries.set(name.id, entry);
      return entry;
    }
    this.forgetIdle();
    entry = this.create(name);
    this.entries.set(name.id, entry);
    return entry;
  }

  /** Drops the least recently used beyond the bound, and closed ones idle for longer than `idleMs`. */
  private forgetIdle(): void {
    const idleBefore = this.now() - this.limits.idleMs;
    for (const [id, entry] of this.entries) {
      const overBound = this.entries.size >= this.limits.maxDeployments;
      if (!overBound && (entry.lastUsed > idleBefore || !entry.breaker.closed)) break;
      entry.breaker.shutdown();
      this.entries.delete(id);
      this.metrics?.forgetDeployment(entry.name);
    }
  }

  private forcedTicket(entry: Entry): DeploymentTicket {
    entry.forcedProbe = true;
    let settled = false;
    const once = (action: () => void) => () => {
      if (settled) return;
      settled = true;
      entry.forcedProbe = false;
      action();
    };
    return {
      probe: true,
      succeed: once(() => {
        entry.consecutiveFailures = 0;
        entry.breaker.close();
      }),
      fail: (error) => once(() => this.countFailure(entry, error))(),
      abandon: once(() => undefined),
    };
  }

  private countFailure(entry: Entry, error: unknown): void {
    if (!countsAgainst(error)) {
      entry.consecutiveFailures = 0;
      return;
    }
    entry.consecutiveFailures++;
    if (entry.consecutiveFailures >= entry.policy.consecutiveFailures && entry.breaker.closed) entry.breaker.open();
  }

  private rearm(entry: Entry): void {
    const resetTimeout = timing(entry.breaker).resetTimeout;
    entry.rearming = true;
    timing(entry.breaker).resetTimeout = REARM_MS;
    entry.breaker.open();
    timing(entry.breaker).resetTimeout = resetTimeout;
    entry.rearming = false;
  }

  private create(name: DeploymentName): Entry {
    const policy = this.policyFor(name.provider);
    const breaker = new CircuitBreaker<[BreakerCall], void>(startCall, {
      // Streams run for minutes; upstream deadlines bound each call instead.
      timeout: false,
      errorThresholdPercentage: policy.errorThresholdPercentage,
      volumeThreshold: policy.volumeThreshold,
      resetTimeout: policy.resetTimeoutMs,
      rollingCountTimeout: policy.rollingWindowMs,
      rollingCountBuckets: BUCKETS,
      // Only counts decide a breaker here. By default opossum also keeps every call's latency for the
      // whole window and, each bucket, concatenates and sorts them for percentiles nobody reads: at
      // 2,500 requests/s and the default 10 s window, 25,000 numbers a second; at a one-hour window,
      // millions held in memory.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      errorFilter: (error: unknown) => !countsAgainst(error),
    });
    const entry: Entry = { name, policy, breaker, consecutiveFailures: 0, opens: 0, openedAt: undefined, openUntil: undefined, lastUsed: this.now(), forcedProbe: false, rearming: false };
    breaker.on('open', () => this.opened(entry));
    breaker.on('halfOpen', () => {
      this.changed(entry, 'half_open');
      this.logger.info({ deployment: name.id, breaker: 'half_open' }, `circuit breaker for ${name.id} is letting a probe through`);
    });
    breaker.on('close', () => {
      entry.opens = 0;
      entry.consecutiveFailures = 0;
      entry.openedAt = undefined;
      entry.openUntil = undefined;
      timing(breaker).resetTimeout = policy.resetTimeoutMs;
      this.changed(entry, 'closed');
      this.logger.info({ deployment: name.id, breaker: 'closed' }, `circuit breaker for ${name.id} closed`);
    });
    // No gauge until the state changes: a model name nobody serves never becomes a label.
    return entry;
  }

  private opened(entry: Entry): void {
    if (entry.rearming) return;
    const { breaker, policy, name } = entry;
    // opossum started its timer with the current resetTimeout; the next opening waits twice as long.
    const openMs = timing(breaker).resetTimeout;
    entry.opens++;
    entry.openedAt = this.now();
    entry.openUntil = entry.openedAt + openMs;
    timing(breaker).resetTimeout = Math.min(policy.maxResetTimeoutMs, openMs * 2);
    this.changed(entry, 'open');
    this.logger.warn({ deployment: name.id, breaker: 'open', openMs, opens: entry.opens }, `circuit breaker for ${name.id} opened`);
  }

  private changed(entry: Entry, state: BreakerState): void {
    this.metrics?.setDeploymentState(entry.name, state);
    for (const listener of this.listeners) listener(entry.name, state, entry.openUntil);
  }
}

/**
 * opossum reads `options.resetTimeout` each time it opens; its types do not expose the options, so
 * this is the one place that reaches them, to lengthen the next open period.
 */
function timing(breaker: CircuitBreaker<[BreakerCall], void>): { resetTimeout: number } {
  return (breaker as unknown as { options: { resetTimeout: number } }).options;
}

function countsAgainst(error: unknown): boolean {
  return isGatewayError(error) && error.countsAgainstProvider;
}
