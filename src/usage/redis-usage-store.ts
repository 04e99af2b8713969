/**
 * Usage counters in Redis, shared by every replica: a hash per (day, client, provider, model) and
 * a set per day indexing them. Every key carries the hash tag {usage}, so on a Redis Cluster the
 * script and pipelines touch a single slot. Each batch is applied by one Lua script guarded by the
 * batch id, so a write retried after a timeout is never counted twice.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../json/canonical-json.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import { COUNTER_NAMES, daysBetween, matches, type UsageDimensions, type UsageFilter, type UsageIncrement, type UsageRow, type UsageStore } from './usage-types.js';

/** Usage rows outlive their day by this long, then Redis drops them. */
const RETENTION_SECONDS = 400 * 24 * 3600;
const BATCH_GUARD_SECONDS = 2 * 24 * 3600;

// KEYS: the batch guard, then a (row hash, day index) pair per increment.
// ARGV: guard ttl, retention, the number of counters n, their n names, then per increment its
// dimension JSON and n values. Zero values are skipped: a missing field reads as 0.
const APPLY_SCRIPT = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) == false then return 0 end
local n = tonumber(ARGV[3])
local at = 4 + n
for k = 2, #KEYS, 2 do
  for c = 1, n do
    local value = ARGV[at + c]
    if value ~= '0' then
      if ARGV[3 + c] == 'cost' then redis.call('HINCRBYFLOAT', KEYS[k], 'cost', value)
      else redis.call('HINCRBY', KEYS[k], ARGV[3 + c], value) end
    end
  end
  redis.call('EXPIRE', KEYS[k], ARGV[2])
  redis.call('SADD', KEYS[k + 1], ARGV[at])
  redis.call('EXPIRE', KEYS[k + 1], ARGV[2])
  at = at + 1 + n
end
return 1
`;

// Sent by its digest: the script is many times the size of its arguments, and Redis would hash it on every call.
const APPLY_SCRIPT_SHA = createHash('sha1').update(APPLY_SCRIPT).digest('hex');

function isMissingScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

function rowKey(dimensions: UsageDimensions): string {
  const digest = createHash('sha1').update(canonicalJson(dimensions)).digest('base64url');
  return `{usage}:row:${dimensions.day}:${digest}`;
}

export class RedisUsageStore implements UsageStore {
  constructor(private readonly redis: RedisConnection) {}

  async apply(batchId: string, increments: readonly UsageIncrement[]): Promise<void> {
    if (!this.redis.isReady()) throw new Error('redis unavailable');
    const keys = [`{usage}:batch:${batchId}`];
    const args = [String(BATCH_GUARD_SECONDS), String(RETENTION_SECONDS), String(COUNTER_NAMES.length), ...COUNTER_NAMES];
    for (const { dimensions, counters } of increments) {
      keys.push(rowKey(dimensions), `{usage}:day:${dimensions.day}`);
      args.push(canonicalJson(dimensions), ...COUNTER_NAMES.map((name) => String(counters[name])));
    }
    try {
      try {
        await this.redis.client.evalsha(APPLY_SCRIPT_SHA, keys.length, ...keys, ...args);
      } catch (error) {
        // A restarted or failed-over server has no scripts yet; EVAL loads it for the next call.
        if (!isMissingScript(error)) throw error;
        await this.redis.client.eval(APPLY_SCRIPT, keys.length, ...keys, ...args);
      }
    } catch (error) {
      this.redis.reportFailure();
      throw error;
    }
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
