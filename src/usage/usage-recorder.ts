/**
 * Records each finished request's usage. Writes that fail while Redis is away wait in a bounded
 * in-process queue and are replayed when it returns; the store's per-event guard keeps a replay
 * from counting twice.
 */
import type { Logger } from '../observability/logger.js';
import type { TokenUsage } from '../providers/types.js';
import type { UsageCounters, UsageDimensions, UsageFilter, UsageRow, UsageStore } from './usage-types.js';

const MAX_PENDING = 10_000;

export interface UsageEvent {
  eventId: string;
  client: string;
  provider: string;
  model: string;
  usage: TokenUsage | null;
  cacheHit: boolean;
  /** USD per million prompt and completion tokens, when configured for the model. */
  price?: { promptPerMillion: number; completionPerMillion: number };
}

interface Pending {
  eventId: string;
  dimensions: UsageDimensions;
  counters: UsageCounters;
}

export function countersFor(event: UsageEvent): UsageCounters {
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

export class UsageRecorder {
  private readonly pending: Pending[] = [];
  private flushing = false;

  constructor(
    private readonly store: UsageStore,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  record(event: UsageEvent): void {
    const dimensions: UsageDimensions = {
      day: new Date(this.now()).toISOString().slice(0, 10),
      client: event.client,
      provider: event.provider,
      model: event.model,
    };
    const entry = { eventId: event.eventId, dimensions, counters: countersFor(event) };
    this.store.record(entry.eventId, entry.dimensions, entry.counters).catch(() => this.keep(entry));
  }

  /** Replays writes that failed; called when the store is reachable again. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const entry = this.pending[0]!;
        await this.store.record(entry.eventId, entry.dimensions, entry.counters);
        this.pending.shift();
      }
    } catch {
      // Still unreachable; the next flush tries again.
    } finally {
      this.flushing = false;
    }
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  query(filter: UsageFilter): Promise<UsageRow[]> {
    return this.store.query(filter);
  }

  private keep(entry: Pending): void {
    if (this.pending.length >= MAX_PENDING) {
      this.logger.error({ dropped: this.pending.shift()?.eventId }, 'usage queue full while the store is unreachable: oldest event dropped');
    }
    this.pending.push(entry);
  }
}
