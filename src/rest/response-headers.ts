/** Headers that tell a REST client what served its request and how much budget it has left. */
import type { ServedFacts } from '../vocabulary/chat-results.js';
import type { ResponseReport } from '../vocabulary/request-context.js';

/**
 * A header value as it may be sent: model names come from providers and clients, and one with CR/LF
 * or characters outside Latin-1 would make writing the answer throw after the call was paid for.
 */
export function headerSafe(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

export function gatewayHeaders(served: ServedFacts, report: ResponseReport): Record<string, string> {
  const headers: Record<string, string> = {
    'X-Gateway-Provider': served.provider,
    'X-Gateway-Model': headerSafe(served.model),
    'X-Gateway-Attempts': String(served.attempts),
    'X-Cache': served.cacheStatus,
  };
  if (served.deployment !== undefined) headers['X-Gateway-Deployment'] = headerSafe(served.deployment);
  if (report.coalesced === true) headers['X-Gateway-Coalesced'] = 'true';
  if (report.rateLimit !== undefined) {
    headers['RateLimit-Limit'] = String(report.rateLimit.limit);
    headers['RateLimit-Remaining'] = String(report.rateLimit.remaining);
    headers['RateLimit-Reset'] = String(report.rateLimit.resetSeconds);
  }
  return headers;
}
