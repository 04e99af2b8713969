/** In-process usage counters, for running without Redis. Lost on restart, by design. */
import { canonicalJson } from '../cache/canonical-json.js';
import { COUNTER_NAMES, matches, type UsageCounters, type UsageDimensions, type UsageFilter, type UsageRow, type UsageStore } from './usage-types.js';

const MAX_REMEMBERED_EVENTS = 100_000;

export class MemoryUsageStore implements UsageStore {
  private readonly rows = new Map<string, UsageRow>();
  private readonly seenEvents = new Set<string>();

  async record(eventId: string, dimensions: UsageDimensions, counters: UsageCounters): Promise<void> {
    if (this.seenEvents.has(eventId)) return;
    this.seenEvents.add(eventId);
    if (this.seenEvents.size > MAX_REMEMBERED_EVENTS) this.seenEvents.delete(this.seenEvents.values().next().value as string);
    const key = canonicalJson(dimensions);
    const row = this.rows.get(key) ?? { ...dimensions, requests: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: 0 };
    for (const name of COUNTER_NAMES) row[name] += counters[name];
    this.rows.set(key, row);
  }

  async query(filter: UsageFilter): Promise<UsageRow[]> {
    return [...this.rows.values()].filter((row) => matches(filter, row)).map((row) => ({ ...row }));
  }
}
