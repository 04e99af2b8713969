/** GET /metrics in Prometheus text format, optionally behind a bearer token. */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { bearerToken } from '../auth/access.js';
import { GatewayError } from '../errors.js';
import type { GatewayMetrics } from '../observability/metrics.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function metricsHandler(metrics: GatewayMetrics, token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return async (req: Request, res: Response): Promise<void> => {
    if (expected !== undefined) {
      const presented = bearerToken(req.headers.authorization);
      if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
        const error = new GatewayError('unauthenticated', 'GET /metrics needs METRICS_TOKEN as a bearer token.');
        res.status(error.status).json(error.toBody());
        return;
      }
    }
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  };
}
