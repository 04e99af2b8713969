/** A circuit breaker's state, as metrics, listings and health report it. */
export type BreakerState = 'closed' | 'open' | 'half_open';
