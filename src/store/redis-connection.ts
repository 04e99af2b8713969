/**
 * The one Redis connection (ioredis). Commands fail fast instead of queueing while Redis is away
 * (no offline queue, a short command timeout), so every caller can fall back to its in-process
 * store and no request waits on Redis longer than the command timeout. It reconnects by itself.
 */
import { Redis } from 'ioredis';
import type { RedisConfig } from '../config.js';
import type { Logger } from '../observability/logger.js';

export interface RedisConnection {
  readonly client: Redis;
  /** True while commands can be sent and none timed out in the last moment. */
  isReady(): boolean;
  /**
   * A command failed or timed out: callers skip Redis for a short while, so a hung Redis costs
   * one command timeout, not one per command of every request.
   */
  reportFailure(): void;
  /** Resolves once connected, or after the connect timeout: start-up waits for Redis, boundedly. */
  firstConnection: Promise<void>;
  close(): Promise<void>;
}

const FAILURE_SUSPENSION_MS = 1_000;

/** host:port only: the URL may carry a password. */
function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}`;
}

export function connectRedis(config: RedisConfig & { url: string }, logger: Logger): RedisConnection {
  const client = new Redis(config.url, {
    keyPrefix: config.keyPrefix,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Keep trying, at most every two seconds, for as long as the process runs.
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    lazyConnect: false,
  });
  const where = describe(config.url);
  let ready = false;
  let announcedDown = false;
  client.on('ready', () => {
    ready = true;
    announcedDown = false;
    logger.info({ redis: where }, 'redis connected');
  });
  const down = (reason: string) => {
    ready = false;
    if (!announcedDown) logger.warn({ redis: where, reason }, 'redis unavailable: falling back to in-process stores');
    announcedDown = true;
  };
  client.on('close', () => down('connection closed'));
  client.on('error', (error: NodeJS.ErrnoException) => down(error.code ?? 'error'));
  const firstConnection = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, config.connectTimeoutMs);
    timer.unref();
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  let suspendedUntil = 0;
  return {
    client,
    firstConnection,
    isReady: () => ready && client.status === 'ready' && Date.now() >= suspendedUntil,
    reportFailure: () => {
      if (Date.now() >= suspendedUntil) logger.warn({ redis: where }, `redis command failed: skipping redis for ${FAILURE_SUSPENSION_MS} ms`);
      suspendedUntil = Date.now() + FAILURE_SUSPENSION_MS;
    },
    async close() {
      client.removeAllListeners('ready');
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
