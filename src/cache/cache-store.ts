/**
 * Where cached completions live: Redis when configured, a bounded in-process LRU otherwise. Both
 * never throw: an unreachable or slow store is a miss, and a failed write is skipped.
 */
import type { RedisConnection } from '../redis/redis-connection.js';

export interface CacheStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Whether there was an entry to delete. */
  delete(key: string): Promise<boolean>;
}

export class MemoryCacheStore implements CacheStore {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    // Re-inserting moves the entry to the young end: the Map's order is the LRU order.
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  async delete(key: string): Promise<boolean> {
    const entry = this.entries.get(key);
    this.entries.delete(key);
    return entry !== undefined && entry.expiresAt > this.now();
  }
}

export class RedisCacheStore implements CacheStore {
  constructor(private readonly redis: RedisConnection) {}

  async get(key: string): Promise<string | undefined> {
    if (!this.redis.isReady()) return undefined;
    try {
      return (await this.redis.client.get(key)) ?? undefined;
    } catch {
      this.redis.reportFailure();
      return undefined;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (!this.redis.isReady()) return;
    try {
      await this.redis.client.set(key, value, 'EX', ttlSeconds);
    } catch {
      // A cache write is an optimisation; losing one costs a future miss, nothing more.
      this.redis.reportFailure();
    }
  }

  async delete(key: string): Promise<boolean> {
    if (!this.redis.isReady()) return false;
    try {
      return (await this.redis.client.del(key)) > 0;
    } catch {
      this.redis.reportFailure();
      return false;
    }
  }

  get ready(): boolean {
    return this.redis.isReady();
  }
}
