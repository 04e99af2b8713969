/** Usage rows -> the REST usage report, with totals. */
import type { components } from '../generated/openapi.js';
import { COUNTER_NAMES, type UsageCounters, type UsageFilter, type UsageRow } from '../usage/usage-types.js';

type UsageReportBody = components['schemas']['UsageReport'];
type UsageCountersBody = components['schemas']['UsageCounters'];

function toWireCounters(counters: UsageCounters): UsageCountersBody {
  return {
    requests: counters.requests,
    cache_hits: counters.cacheHits,
    prompt_tokens: counters.promptTokens,
    completion_tokens: counters.completionTokens,
    cached_tokens: counters.cachedTokens,
    reasoning_tokens: counters.reasoningTokens,
    cost: counters.cost,
  };
}

export function toWireUsageReport(filter: UsageFilter, rows: UsageRow[]): UsageReportBody {
  const totals: UsageCounters = { requests: 0, cacheHits: 0, promptTokens: 0, completionTokens: 0, cachedTokens: 0, reasoningTokens: 0, cost: 0 };
  for (const row of rows) for (const name of COUNTER_NAMES) totals[name] += row[name];
  const sorted = [...rows].sort((a, b) => a.day.localeCompare(b.day) || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
  return {
    object: 'list',
    from: filter.from,
    to: filter.to,
    data: sorted.map((row) => ({ day: row.day, client: row.client, provider: row.provider, model: row.model, ...toWireCounters(row) })),
    totals: toWireCounters(totals),
  };
}
