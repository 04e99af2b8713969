/**
 * Total spend (USD) per API key, for budgets. Redis when configured, so every replica sees the
 * same total; a store error neither blocks a request nor loses the process's own count.
 */
import type { RedisConnection } from '../redis/redis-connection.js';

export class SpendTracker {
  private readonly local = new Map<string, number>();

  constructor(private readonly redis: RedisConnection | undefined) {}

  async spent(keyId: string): Promise<number> {
    if (this.redis !== undefined && this.redis.isReady()) {
      try {
        return Number((await this.redis.client.get(`spend:${keyId}`)) ?? 0);
      } catch {
        this.redis.reportFailure();
      }
    }
    return this.local.get(keyId) ?? 0;
  }

  add(keyId: string, usd: number): void {
    if (usd <= 0) return;
    this.local.set(keyId, (this.local.get(keyId) ?? 0) + usd);
    if (this.redis !== undefined && this.redis.isReady()) {
      this.redis.client.incrbyfloat(`spend:${keyId}`, usd).catch(() => this.redis?.reportFailure());
    }
  }
}
