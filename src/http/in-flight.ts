/**
 * Counts every HTTP request in flight (whole answers, mutations, streams waiting for their first
 * token) so shutdown waits for them within the grace period instead of cutting them off.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Lifecycle } from '../lifecycle/lifecycle.js';

export function trackInFlight(lifecycle: Lifecycle) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.once('close', lifecycle.trackRequest());
    next();
  };
}
