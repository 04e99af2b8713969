/** `Cache-Control: no-cache` skips the cache lookup; `no-store` keeps the answer out of the cache. */
import type { CacheDirectives } from '../vocabulary/cache-directives.js';

export function cacheDirectivesFrom(header: string | undefined): CacheDirectives {
  const tokens = new Set((header ?? '').toLowerCase().split(',').map((token) => token.trim()));
  return { noCache: tokens.has('no-cache'), noStore: tokens.has('no-store') };
}
