/**
 * The one Redis connection (ioredis). Commands fail fast instead of queueing while Redis is away
 * (no offline queue, a short command timeout), so every caller can fall back to its in-process
 * store and no request waits on Redis longer than the command timeout. It reconnects by itself.
 */
import { createRequire } from 'node:module';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { RedisConfig } from '../config/load-config.js';
import type { Logger } from '../observability/logger.js';

export interface RedisConnection {
  /** A single server, a Sentinel-managed master, or a Cluster: the same commands work on each. */
  readonly client: Redis | Cluster;
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

/** Credentials, database and TLS from REDIS_URL, for Sentinel and Cluster nodes alike. */
function connectionOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  const options: RedisOptions = {};
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  const db = Number(parsed.pathname.slice(1));
  if (Number.isInteger(db) && db > 0) options.db = db;
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
}

/**
 * ioredis is loaded when a replica first connects, not at start-up: a replica without Redis never
 * needs its forty modules, which were a measurable share of idle memory (bench/README.md,
 * "Performance work").
 */
function ioredis(): typeof import('ioredis') {
  return createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
}

function createClient(config: RedisConfig & { url: string }): Redis | Cluster {
  const { Cluster, Redis } = ioredis();
  const common: RedisOptions = {
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Keep trying, at most every two seconds, for as long as the process runs.
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
  };
  if (config.clusterNodes.length > 0) {
    return new Cluster([...config.clusterNodes], {
      keyPrefix: config.keyPrefix,
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
      redisOptions: { ...connectionOptions(config.url), ...common },
    });
  }
  if (config.sentinels.length > 0) {
    return new Redis({ ...connectionOptions(config.url), ...common, keyPrefix: config.keyPrefix, sentinels: [...config.sentinels], name: config.sentinelName });
  }
  return new Redis(config.url, { ...common, keyPrefix: config.keyPrefix });
}

/** host:port only: the URL may carry a password. */
function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}`;
}

export function connectRedis(config: RedisConfig & { url: string }, logger: Logger): RedisConnection {
  const client = createClient(config);
  const where = config.clusterNodes.length > 0 ? `cluster of ${config.clusterNodes.length} seed nodes` : config.sentinels.length > 0 ? `sentinel master ${config.sentinelName}` : describe(config.url);
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
