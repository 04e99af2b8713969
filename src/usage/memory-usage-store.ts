/** In-process usage counters, for running without Redis. Lost on restart, by design. */
import { canonicalJson } from '../json/canonical-json.js';
import { COUNTER_NAMES, matches, type UsageFilter, type UsageIncrement, type UsageRow, type UsageStore } from './usage-types.js';

const MAX_REMEMBERED_BATCHES = 100_000;

export class MemoryUsageStore implements UsageStore {
  private readonly rows = new Map<string, UsageRow>();
  private readonly seenBatches = new Set<string>();

  async apply(batchId: string, increments: readonly UsageIncrement[]): Promise<void> {
    if (this.seenBatches.has(batchId)) return;
    this.seenBatches.add(batchId);
    if (this.seenBatches.size > MAX_REMEMBERED_BATCHES) this.seenBatches.delete(this.seenBatches.values().next().value as string);
    for (const { dimensions, counters } of increments) {
      const key = canonicalJson(dimensions);
      const row = this.rows.get(key) ?? { ...dimensions, requests: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: 0 };
      for (const name of COUNTER_NAMES) row[name] += counters[name];
      this.rows.set(key, row);
    }
  }

  async query(filter: UsageFilter): Promise<UsageRow[]> {
    return [...this.rows.values()].filter((row) => matches(filter, row)).map((row) => ({ ...row }));
  }
}
