/** `Cache-Control: no-cache` skips the cache lookup; `no-store` keeps the answer out of the cache. */
import type { CacheDirectives } from '../vocabulary/cache-directives.js';

const NONE: CacheDirectives = Object.freeze({ noCache: false, noStore: false });

export function cacheDirectivesFrom(header: string | undefined): CacheDirectives {
  // Most requests send no Cache-Control: no set of tokens to build for them.
  if (header === undefined) return NONE;
  const tokens = new Set(header.toLowerCase().split(',').map((token) => token.trim()));
  return { noCache: tokens.has('no-cache'), noStore: tokens.has('no-store') };
}
