/** What a client has left of its request budget, for the `RateLimit-*` headers. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}
