/**
 * Records each finished request's usage. Requests are summed in process per row and written as
 * one batch every USAGE_FLUSH_MS, so the request path never waits on Redis and Redis sees a few
 * writes a second instead of one per request. A batch that fails while Redis is away waits in a
 * bounded queue and is replayed when it returns; the store's per-batch guard keeps a replay from
 * counting twice. Reads and shutdown write the current batch first.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observability/logger.js';
import type { TokenUsage } from '../vocabulary/chat-request.js';
import { COUNTER_NAMES, matches, type UsageCounters, type UsageDimensions, type UsageFilter, type UsageIncrement, type UsageRow, type UsageStore } from './usage-types.js';

const MAX_PENDING_BATCHES = 10_000;
/** Keeps one script call small even when thousands of clients were active in one interval. */
const MAX_INCREMENTS_PER_BATCH = 100;
const DAY_MS = 86_400_000;

export interface UsageEvent {
  client: string;
  provider: string;
  model: string;
  usage: TokenUsage | null;
  cacheHit: boolean;
  /** USD per million prompt and completion tokens, when configured for the model. */
  price?: { promptPerMillion: number; completionPerMillion: number };
}

interface Batch {
  id: string;
  increments: UsageIncrement[];
}

/** What one request adds to its row; only its usage, whether it was served without tokens, and the price matter. */
export function countersFor(event: Pick<UsageEvent, 'usage' | 'cacheHit' | 'price'>): UsageCounters {
  const usage = event.usage;
  const promptTokens = event.cacheHit ? 0 : (usage?.promptTokens ?? 0);
  const completionTokens = event.cacheHit ? 0 : (usage?.completionTokens ?? 0);
  const priced = event.price === undefined ? 0 : (promptTokens * event.price.promptPerMillion + completionTokens * event.price.completionPerMillion) / 1e6;
  return {
    requests: 1,
    cacheHits: event.cacheHit ? 1 : 0,
    promptTokens,
    completionTokens,
    cachedTokens: event.cacheHit ? 0 : (usage?.cachedTokens ?? 0),
    reasoningTokens: event.cacheHit ? 0 : (usage?.reasoningTokens ?? 0),
    cost: event.cacheHit ? 0 : (usage?.cost ?? priced),
  };
}

function sameRow(row: UsageDimensions, other: UsageDimensions): boolean {
  return row.day === other.day && row.client === other.client && row.provider === other.provider && row.model === other.model;
}

/** Rows with increments not yet in the store added in. */
function withIncrements(rows: readonly UsageRow[], increments: readonly UsageIncrement[]): UsageRow[] {
  const merged = rows.map((row) => ({ ...row }));
  for (const { dimensions, counters } of increments) {
    const row = merged.find((candidate) => sameRow(candidate, dimensions));
    if (row === undefined) merged.push({ ...dimensions, ...counters });
    else for (const name of COUNTER_NAMES) row[name] += counters[name];
  }
  return merged;
}

export class UsageRecorder {
  private current = new Map<string, UsageIncrement>();
  private timer: NodeJS.Timeout | undefined;
  private readonly pending: Batch[] = [];
  private replaying = false;
  private day = '';
  private dayStartsAt = 0;
  private dayEndsAt = 0;

  constructor(
    private readonly store: UsageStore,
    private readonly logger: Logger,
    private readonly flushMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  record(event: UsageEvent): void {
    const dimensions: UsageDimensions = {
      day: this.today(),
      client: event.client,
      provider: event.provider,
      model: event.model,
    };
    const counters = countersFor(event);
    const key = JSON.stringify([dimensions.day, dimensions.client, dimensions.provider, dimensions.model]);
    const row = this.current.get(key);
    if (row === undefined) this.current.set(key, { dimensions, counters });
    else for (const name of COUNTER_NAMES) row.counters[name] += counters[name];
    if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.writeCurrent(), this.flushMs);
      this.timer.unref();
    }
  }

  /** The UTC day usage is kept under, formatted once per day rather than once per request. */
  private today(): string {
    const now = this.now();
    if (now < this.dayStartsAt || now >= this.dayEndsAt) {
      this.day = new Date(now).toISOString().slice(0, 10);
      this.dayStartsAt = Date.parse(this.day);
      this.dayEndsAt = this.dayStartsAt + DAY_MS;
    }
    return this.day;
  }

  /** Writes what was recorded since the last batch; on failure it joins the replay queue. */
  async writeCurrent(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.current.size === 0) return;
    const increments = [...this.current.values()];
    this.current = new Map();
    for (let start = 0; start < increments.length; start += MAX_INCREMENTS_PER_BATCH) {
      const batch = { id: randomUUID(), increments: increments.slice(start, start + MAX_INCREMENTS_PER_BATCH) };
      try {
        await this.store.apply(batch.id, batch.increments);
      } catch {
        this.keep(batch);
      }
    }
  }

  /** Replays batches that failed; called when the store is reachable again. */
  async replayPending(): Promise<void> {
    if (this.replaying) return;
    this.replaying = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending[0]!;
        await this.store.apply(batch.id, batch.increments);
        this.pending.shift();
      }
    } catch {
      // Still unreachable; the next flush tries again.
    } finally {
      this.replaying = false;
    }
  }

  /** Batches waiting for the store to come back. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Includes this replica's requests of the last interval, and batches a slow or briefly absent
   * store refused earlier (replayed now; the per-batch guard keeps them from counting twice, and
   * what still waits is added to the answer): a client reads its own usage at once.
   */
  async query(filter: UsageFilter): Promise<UsageRow[]> {
    await this.writeCurrent();
    if (this.pending.length > 0) await this.replayPending();
    const rows = await this.store.query(filter);
    return this.pending.length === 0 ? rows : withIncrements(rows, this.pending.flatMap((batch) => batch.increments).filter((increment) => matches(filter, increment.dimensions)));
  }

  /** Writes the current batch and replays what waits, as far as the store allows. */
  async close(): Promise<void> {
    await this.writeCurrent();
    await this.replayPending();
    if (this.pending.length > 0) {
      const rows = this.pending.reduce((sum, batch) => sum + batch.increments.length, 0);
      this.logger.error({ batches: this.pending.length, rows }, 'usage store unreachable at shutdown: these usage counts are lost');
    }
  }

  private keep(batch: Batch): void {
    if (this.pending.length >= MAX_PENDING_BATCHES) {
      this.logger.error({ droppedRows: this.pending.shift()?.increments.length }, 'usage queue full while the store is unreachable: oldest batch dropped');
    }
    this.pending.push(batch);
  }
}
