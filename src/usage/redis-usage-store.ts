/**
 * Usage counters in Redis, shared by every replica: a hash per (day, client, provider, model) and
 * a set per day indexing them. Every key carries the hash tag {usage}, so on a Redis Cluster the
 * script and pipelines touch a single slot. Each event is applied by a Lua script guarded by its id, so a write
 * retried after a timeout is never counted twice.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../cache/canonical-json.js';
import type { RedisConnection } from '../store/redis-connection.js';
import { COUNTER_NAMES, daysBetween, matches, type UsageCounters, type UsageDimensions, type UsageFilter, type UsageRow, type UsageStore } from './usage-types.js';

/** Usage rows outlive their day by this long, then Redis drops them. */
const RETENTION_SECONDS = 400 * 24 * 3600;
const EVENT_GUARD_SECONDS = 2 * 24 * 3600;

// KEYS: guard, row hash, day index. ARGV: guard ttl, retention, dimension JSON, then name/value pairs.
const RECORD_SCRIPT = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) == false then return 0 end
for i = 4, #ARGV, 2 do
  if ARGV[i] == 'cost' then redis.call('HINCRBYFLOAT', KEYS[2], ARGV[i], ARGV[i + 1])
  else redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('EXPIRE', KEYS[3], ARGV[2])
return 1
`;

function rowKey(dimensions: UsageDimensions): string {
  const digest = createHash('sha1').update(canonicalJson(dimensions)).digest('base64url');
  return `{usage}:row:${dimensions.day}:${digest}`;
}

export class RedisUsageStore implements UsageStore {
  constructor(private readonly redis: RedisConnection) {}

  async record(eventId: string, dimensions: UsageDimensions, counters: UsageCounters): Promise<void> {
    if (!this.redis.isReady()) throw new Error('redis unavailable');
    try {
      await this.apply(eventId, dimensions, counters);
    } catch (error) {
      this.redis.reportFailure();
      throw error;
    }
  }

  private async apply(eventId: string, dimensions: UsageDimensions, counters: UsageCounters): Promise<void> {
    const pairs = COUNTER_NAMES.flatMap((name) => [name, String(counters[name])]);
    await this.redis.client.eval(
      RECORD_SCRIPT,
      3,
      `{usage}:event:${eventId}`,
      rowKey(dimensions),
      `{usage}:day:${dimensions.day}`,
      String(EVENT_GUARD_SECONDS),
      String(RETENTION_SECONDS),
      canonicalJson(dimensions),
      ...pairs,
    );
  }

  async query(filter: UsageFilter): Promise<UsageRow[]> {
    const rows: UsageRow[] = [];
    for (const day of daysBetween(filter.from, filter.to)) {
      const members = await this.redis.client.smembers(`{usage}:day:${day}`);
      const dimensions = members.map((member) => JSON.parse(member) as UsageDimensions).filter((candidate) => matches(filter, candidate));
      if (dimensions.length === 0) continue;
      const pipeline = this.redis.client.pipeline();
      for (const dimension of dimensions) pipeline.hgetall(rowKey(dimension));
      const results = (await pipeline.exec()) ?? [];
      for (const [index, [error, value]] of results.entries()) {
        if (error !== null) throw error;
        const hash = value as Record<string, string>;
        const row = { ...dimensions[index]! } as UsageRow;
        for (const name of COUNTER_NAMES) row[name] = Number(hash[name] ?? 0);
        rows.push(row);
      }
    }
    return rows;
  }
}
