/** Headers that tell a REST client what served its request and how much budget it has left. */
import type { ChatCompletionResult, ChatChunk } from '../vocabulary/chat-results.js';
import type { ResponseReport } from '../vocabulary/request-context.js';

export function gatewayHeaders(served: Pick<ChatCompletionResult | ChatChunk, 'provider' | 'deployment' | 'model' | 'attempts' | 'cacheStatus'>, report: ResponseReport): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Gateway-Provider': served.provider,
    'X-Gateway-Model': served.model,
    'X-Gateway-Attempts': String(served.attempts),
    'X-Cache': served.cacheStatus,
  };
  if (served.deployment !== undefined) headers['X-Gateway-Deployment'] = served.deployment;
  if (report.coalesced === true) headers['X-Gateway-Coalesced'] = 'true';
  if (report.rateLimit !== undefined) {
    headers['RateLimit-Limit'] = String(report.rateLimit.limit);
    headers['RateLimit-Remaining'] = String(report.rateLimit.remaining);
    headers['RateLimit-Reset'] = String(report.rateLimit.resetSeconds);
  }
  return headers;
}
