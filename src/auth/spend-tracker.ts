/**
 * Spend (USD) per API key, for budgets. A request reserves its estimated cost before the call, in
 * one atomic step that refuses it when the key's spend plus what other requests hold reserved has
 * reached the budget, so concurrent requests overrun a budget by at most one request's estimate.
 * The real cost replaces the reservation afterwards; a failure releases it. With Redis every replica
 * sees the same spend and reservations (which expire, so a replica that dies leaks nothing for
 * long); while Redis is away the process checks on its own, and spend it could not write is
 * written back when Redis returns.
 */
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../redis/redis-connection.js';

export interface SpendReservation {
  /** The real cost; replaces the reservation. */
  settle(actualUsd: number): void;
  /** The call failed or cost nothing: the reservation is dropped. */
  release(): void;
}

// KEYS: spent total, reservations (members `id|usd`, scored by expiry). ARGV: now, budget, expiry, member, ttl.
const RESERVE_SCRIPT = `
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
local held = 0
for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do held = held + tonumber(string.match(member, '|(.+)$')) end
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
if spent + held >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 1
`;

/** The spent key and its reservations share a Redis Cluster slot: the hash tag is the spent key's name. */
const spentKey = (keyId: string) => `spend:${keyId}`;
const reservationsKey = (keyId: string) => `{spend:${keyId}}:res`;

export class SpendTracker {
  private readonly local = new Map<string, number>();
  private readonly localReserved = new Map<string, number>();
  /** Spend the process could not write to Redis, written back when it returns. */
  private readonly unwritten = new Map<string, number>();

  constructor(
    private readonly redis: RedisConnection | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async spent(keyId: string): Promise<number> {
    if (this.redis !== undefined && this.redis.isReady()) {
      try {
        return Number((await this.redis.client.get(spentKey(keyId))) ?? 0) + (this.unwritten.get(keyId) ?? 0);
      } catch {
        this.redis.reportFailure();
      }
    }
    return this.local.get(keyId) ?? 0;
  }

  /** A reservation of `estimateUsd`, or undefined when the budget is spent (spend plus what others hold). */
  async reserve(keyId: string, budgetUsd: number, estimateUsd: number, holdMs: number): Promise<SpendReservation | undefined> {
    const estimate = Math.max(0, estimateUsd);
    if (this.redis !== undefined && this.redis.isReady()) {
      const member = `${randomUUID()}|${estimate}`;
      try {
        const admitted = await this.redis.client.eval(RESERVE_SCRIPT, 2, spentKey(keyId), reservationsKey(keyId), String(this.now()), String(budgetUsd - (this.unwritten.get(keyId) ?? 0)), String(this.now() + holdMs), member, String(holdMs));
        return admitted === 1 ? this.sharedReservation(keyId, member) : undefined;
      } catch {
        this.redis.reportFailure();
      }
    }
    const held = this.localReserved.get(keyId) ?? 0;
    if ((this.local.get(keyId) ?? 0) + held >= budgetUsd) return undefined;
    this.localReserved.set(keyId, held + estimate);
    const drop = () => this.localReserved.set(keyId, Math.max(0, (this.localReserved.get(keyId) ?? 0) - estimate));
    return this.reservation(keyId, drop);
  }

  /** Adds real spend: to Redis when it is there, else kept to be written back. */
  add(keyId: string, usd: number): void {
    if (usd <= 0) return;
    this.local.set(keyId, (this.local.get(keyId) ?? 0) + usd);
    if (this.redis === undefined) return;
    if (!this.redis.isReady()) {
      this.unwritten.set(keyId, (this.unwritten.get(keyId) ?? 0) + usd);
      return;
    }
    this.redis.client.incrbyfloat(spentKey(keyId), usd).catch(() => {
      this.redis?.reportFailure();
      this.unwritten.set(keyId, (this.unwritten.get(keyId) ?? 0) + usd);
    });
  }

  /** Writes back spend recorded while Redis was away; called when it returns. */
  async writeBack(): Promise<void> {
    if (this.redis === undefined || !this.redis.isReady()) return;
    for (const [keyId, usd] of [...this.unwritten]) {
      this.unwritten.delete(keyId);
      try {
        await this.redis.client.incrbyfloat(spentKey(keyId), usd);
      } catch {
        this.unwritten.set(keyId, (this.unwritten.get(keyId) ?? 0) + usd);
        this.redis.reportFailure();
        return;
      }
    }
  }

  get unwrittenKeys(): number {
    return this.unwritten.size;
  }

  private sharedReservation(keyId: string, member: string): SpendReservation {
    return this.reservation(keyId, () => {
      this.redis?.client.zrem(reservationsKey(keyId), member).catch(() => this.redis?.reportFailure());
    });
  }

  /** Settling adds the real cost before the reservation goes, so no moment counts neither. */
  private reservation(keyId: string, drop: () => void): SpendReservation {
    let done = false;
    return {
      settle: (actual) => {
        if (done) return;
        done = true;
        this.add(keyId, actual);
        drop();
      },
      release: () => {
        if (done) return;
        done = true;
        drop();
      },
    };
  }
}
