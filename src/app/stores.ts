/**
 * Builds the shared-state stores from config: Redis-backed when REDIS_URL is set (with in-process
 * fallbacks while Redis is away), in-process otherwise, behind the same interfaces.
 */
import { MemoryApiKeyStore, RedisApiKeyStore } from '../auth/api-key-stores.js';
import type { ApiKeyStore } from '../auth/api-key-types.js';
import { SpendTracker } from '../auth/spend-tracker.js';
import { MemoryCacheStore, RedisCacheStore } from '../cache/cache-store.js';
import { ResponseCache } from '../cache/response-cache.js';
import { StoredResponses } from '../cache/stored-responses.js';
import type { ResponseBody } from '../contract/responses-response.js';
import type { GatewayConfig } from '../config/load-config.js';
import { ClientRateLimiter } from '../limits/client-rate-limiter.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { MemoryUsageStore } from '../usage/memory-usage-store.js';
import { RedisUsageStore } from '../usage/redis-usage-store.js';
import { UsageRecorder } from '../usage/usage-recorder.js';
import { connectRedis, type RedisConnection } from '../redis/redis-connection.js';

export interface Stores {
  redis: RedisConnection | undefined;
  cache: ResponseCache;
  limiter: ClientRateLimiter;
  usage: UsageRecorder;
  apiKeys: ApiKeyStore;
  spend: SpendTracker;
  responses: StoredResponses<ResponseBody>;
  close(): Promise<void>;
}

/** How often batches that failed are retried while Redis is away. */
const USAGE_REPLAY_INTERVAL_MS = 5_000;

export function createStores(config: GatewayConfig, logger: Logger, metrics?: GatewayMetrics): Stores {
  const url = config.redis.url;
  const redis = url === undefined ? undefined : connectRedis({ ...config.redis, url }, logger);
  if (redis !== undefined && metrics !== undefined) {
    metrics.setRedisUp(false);
    redis.client.on('ready', () => metrics.setRedisUp(true));
    redis.client.on('close', () => metrics.setRedisUp(false));
  }
  const cacheStore = redis === undefined ? new MemoryCacheStore(config.cache.memoryMaxEntries) : new RedisCacheStore(redis);
  const responses = new StoredResponses<ResponseBody>(
    new MemoryCacheStore(config.storedResponses.memoryMaxEntries),
    redis === undefined ? undefined : new RedisCacheStore(redis),
    config.storedResponses.ttlSeconds,
  );
  const spend = new SpendTracker(redis);
  const usage = new UsageRecorder(redis === undefined ? new MemoryUsageStore() : new RedisUsageStore(redis), logger, config.usageFlushMs);
  let replayTimer: NodeJS.Timeout | undefined;
  if (redis !== undefined) {
    redis.client.on('ready', () => {
      void usage.replayPending();
      void spend.writeBack();
    });
    replayTimer = setInterval(() => {
      if (usage.pendingCount > 0 && redis.isReady()) void usage.replayPending();
      if (spend.unwrittenKeys > 0 && redis.isReady()) void spend.writeBack();
    }, USAGE_REPLAY_INTERVAL_MS);
    replayTimer.unref();
  }
  return {
    redis,
    cache: new ResponseCache(config.cache, cacheStore),
    limiter: new ClientRateLimiter(config.rateLimit, redis, logger, metrics),
    usage,
    apiKeys: redis === undefined ? new MemoryApiKeyStore() : new RedisApiKeyStore(redis),
    spend,
    responses,
    async close() {
      if (replayTimer !== undefined) clearInterval(replayTimer);
      await usage.close();
      await redis?.close();
    },
  };
}
