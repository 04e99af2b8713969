/** REDIS_* -> where Redis is (one server, Sentinel or Cluster) and how long to wait for it. */
import { ConfigError, readInteger, readString, type Env } from './env-readers.js';
import type { RedisConfig } from './types.js';

const SECOND = 1000;

function readHostList(env: Env, name: string): { host: string; port: number }[] {
  const raw = readString(env, name);
  if (raw === undefined) return [];
  return raw.split(',').map((entry) => {
    const match = /^\s*([^:\s]+):(\d{1,5})\s*$/.exec(entry);
    if (match === null) throw new ConfigError(name, `must be host:port pairs separated by commas, got "${entry}"`);
    return { host: match[1]!, port: Number(match[2]) };
  });
}

function readRedisUrl(env: Env): string | undefined {
  const raw = readString(env, 'REDIS_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError('REDIS_URL', `must use redis: or rediss:, got "${url.protocol}"`);
  return raw;
}

export function readRedisConfig(env: Env): RedisConfig {
  if ((readString(env, 'REDIS_SENTINELS') !== undefined || readString(env, 'REDIS_CLUSTER_NODES') !== undefined) && readString(env, 'REDIS_URL') === undefined) {
    throw new ConfigError('REDIS_URL', 'must be set with REDIS_SENTINELS or REDIS_CLUSTER_NODES (it carries the password and TLS choice)');
  }
  if (readString(env, 'REDIS_SENTINELS') !== undefined && readString(env, 'REDIS_SENTINEL_NAME') === undefined) {
    throw new ConfigError('REDIS_SENTINEL_NAME', 'must name the master the sentinels watch');
  }
  return {
    url: readRedisUrl(env),
    sentinels: readHostList(env, 'REDIS_SENTINELS'),
    sentinelName: readString(env, 'REDIS_SENTINEL_NAME'),
    clusterNodes: readHostList(env, 'REDIS_CLUSTER_NODES'),
    keyPrefix: readString(env, 'REDIS_KEY_PREFIX') ?? 'llmgw:',
    commandTimeoutMs: readInteger(env, 'REDIS_COMMAND_TIMEOUT_MS', 250, 10, 60 * SECOND),
    connectTimeoutMs: readInteger(env, 'REDIS_CONNECT_TIMEOUT_MS', 2 * SECOND, 10, 60 * SECOND),
  };
}
