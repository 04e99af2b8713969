/**
 * Cooldowns and open breakers shared across replicas through Redis: one hash of name -> deadline
 * (ms since the epoch). A replica publishes what it learned and polls the hash about twice a
 * second, so a deployment cooled or opened on one replica is skipped by the others within about
 * a second. Fail-open: while Redis is away, each replica keeps only what it learned itself.
 */
import type { Logger } from '../observability/logger.js';
import type { RedisConnection } from '../redis/redis-connection.js';
import type { Cooldowns } from './cooldowns.js';

const HASH = '{health}:until';
const POLL_MS = 500;
const PRUNE_SCRIPT = "for i = 2, #ARGV do local v = redis.call('HGET', KEYS[1], ARGV[i]) if v and tonumber(v) <= tonumber(ARGV[1]) then redis.call('HDEL', KEYS[1], ARGV[i]) end end return 1";

export class SharedHealth {
  private readonly timer: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly redis: RedisConnection,
    private readonly cooldowns: Cooldowns,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => void this.poll(), POLL_MS);
    this.timer.unref();
  }

  /** Tells the other replicas; a later deadline already there is kept. */
  publish(name: string, until: number): void {
    if (!this.redis.isReady()) return;
    this.redis.client
      .eval("local c = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0') if tonumber(ARGV[2]) > c then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return 1", 1, HASH, name, String(until))
      .catch(() => this.redis.reportFailure());
  }

  async poll(): Promise<void> {
    if (this.polling) return;
    if (!this.redis.isReady()) {
      this.cooldowns.setRemote(new Map());
      return;
    }
    this.polling = true;
    try {
      const raw = await this.redis.client.hgetall(HASH);
      const now = this.now();
      const live = new Map<string, number>();
      const expired: string[] = [];
      for (const [name, value] of Object.entries(raw)) {
        const until = Number(value);
        if (until > now) live.set(name, until);
        else expired.push(name);
      }
      this.cooldowns.setRemote(live);
      // Only deadlines still past are removed: another replica may have just set a new one.
      if (expired.length > 0) await this.redis.client.eval(PRUNE_SCRIPT, 1, HASH, String(now), ...expired);
    } catch (error) {
      this.redis.reportFailure();
      this.cooldowns.setRemote(new Map());
      this.logger.debug({ err: error }, 'shared health poll failed; using this replica’s own view');
    } finally {
      this.polling = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
