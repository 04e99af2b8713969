/**
 * Counts every HTTP request in flight (whole answers, mutations, streams waiting for their first
 * token) so shutdown waits for them within the grace period instead of cutting them off.
 */
import type { HttpNext, HttpRequest, HttpResponse } from './http-exchange.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';

export function trackInFlight(lifecycle: Lifecycle) {
  return (_req: HttpRequest, res: HttpResponse, next: HttpNext): void => {
    // A response closes once: `on` spares the once-wrapper.
    res.on('close', lifecycle.trackRequest());
    next();
  };
}
