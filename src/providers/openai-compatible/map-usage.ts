/** Upstream usage objects -> TokenUsage, including DeepSeek's cache counters and OpenRouter's cost. */
import type { TokenUsage } from '../types.js';
import type { WireUsage } from './wire-types.js';

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export function mapUsage(usage: WireUsage | null | undefined): TokenUsage | null {
  if (usage === null || usage === undefined || typeof usage !== 'object') return null;
  const promptTokens = count(usage.prompt_tokens) ?? 0;
  const completionTokens = count(usage.completion_tokens) ?? 0;
  const result: TokenUsage = {
    promptTokens,
    completionTokens,
    totalTokens: count(usage.total_tokens) ?? promptTokens + completionTokens,
  };
  const cached = count(usage.prompt_tokens_details?.cached_tokens) ?? count(usage.prompt_cache_hit_tokens);
  if (cached !== undefined) result.cachedTokens = cached;
  const reasoning = count(usage.completion_tokens_details?.reasoning_tokens);
  if (reasoning !== undefined) result.reasoningTokens = reasoning;
  const cost = count(usage.cost);
  if (cost !== undefined) result.cost = cost;
  result.wire = usage as Readonly<Record<string, unknown>>;
  return result;
}
