/** Token usage accounting: one row per client, provider, model and UTC day. */

export interface UsageDimensions {
  /** YYYY-MM-DD, UTC. */
  day: string;
  client: string;
  provider: string;
  model: string;
}

export interface UsageCounters {
  requests: number;
  cacheHits: number;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** USD; 0 when no price was known. */
  cost: number;
}

export type UsageRow = UsageDimensions & UsageCounters;

export interface UsageFilter {
  from: string;
  to: string;
  client?: string;
  provider?: string;
  model?: string;
}

/** The sum of a batch's requests that share one row. */
export interface UsageIncrement {
  dimensions: UsageDimensions;
  counters: UsageCounters;
}

export interface UsageStore {
  /** Idempotent per `batchId`: applying the same batch twice counts it once. */
  apply(batchId: string, increments: readonly UsageIncrement[]): Promise<void>;
  query(filter: UsageFilter): Promise<UsageRow[]>;
}

export const COUNTER_NAMES: readonly (keyof UsageCounters)[] = [
  'requests',
  'cacheHits',
  'promptTokens',
  'completionTokens',
  'cachedTokens',
  'reasoningTokens',
  'cost',
];

export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let time = Date.parse(`${from}T00:00:00Z`); time <= end && days.length <= 366; time += 86_400_000) {
    days.push(new Date(time).toISOString().slice(0, 10));
  }
  return days;
}

export function matches(filter: UsageFilter, dimensions: UsageDimensions): boolean {
  return (
    dimensions.day >= filter.from &&
    dimensions.day <= filter.to &&
    (filter.client === undefined || filter.client === dimensions.client) &&
    (filter.provider === undefined || filter.provider === dimensions.provider) &&
    (filter.model === undefined || filter.model === dimensions.model)
  );
}
