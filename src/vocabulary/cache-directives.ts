/** Whether an answer came from the response cache, and what a client asked of the cache. */

export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

/** Per-request cache directives: `Cache-Control: no-cache` / `no-store`, or GraphQL's `cache` input. */
export interface CacheDirectives {
  /** Do not read the cache (the answer may still be stored). */
  noCache: boolean;
  /** Do not write the answer to the cache. */
  noStore: boolean;
}

export const NO_DIRECTIVES: CacheDirectives = { noCache: false, noStore: false };
