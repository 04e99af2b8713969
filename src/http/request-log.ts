/**
 * One log line and one duration sample per HTTP request, written when the response ends (for a
 * stream, when the stream ends): request id, key id (never the key), route, status, provider,
 * model, attempts, cache status, tokens, latency and error code. No prompt or completion text
 * unless LOG_CONTENT is on.
 */
import { pathOf, type HttpNext, type HttpRequest, type HttpResponse } from './http-exchange.js';
import type { ResponseReport } from '../vocabulary/request-context.js';
import { principalOf } from './principal.js';
import { requestIdOf } from './request-id.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';

/** The adapter's per-request report, shared with the gateway through the request context. */
export function reportOf(res: HttpResponse): ResponseReport {
  if (res.locals.report === undefined) res.locals.report = {} satisfies ResponseReport;
  return res.locals.report as ResponseReport;
}

export function recordErrorCode(res: HttpResponse, code: string): void {
  res.locals.errorCode = code;
}

function routeOf(req: HttpRequest): string {
  const route = req.route?.path;
  if (typeof route === 'string') return route.replace(/:(\w+)/g, '{$1}');
  return req.baseUrl === '/graphql' || pathOf(req.url ?? '') === '/graphql' ? '/graphql' : 'unmatched';
}

export function logRequests(logger: Logger, metrics: GatewayMetrics) {
  return (req: HttpRequest, res: HttpResponse, next: HttpNext): void => {
    const started = performance.now();
    reportOf(res).receivedAt = started;
    res.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const route = routeOf(req);
      const status = res.headersSent ? res.statusCode : 499;
      metrics.observeRequest(route, req.method ?? '', status, seconds);
      const report = res.locals.report as ResponseReport | undefined;
      const principal = principalOf(res);
      const errorCode = res.locals.errorCode as string | undefined;
      if (errorCode !== undefined) metrics.countError(errorCode);
      logger.info(
        {
          requestId: requestIdOf(res),
          keyId: principal?.kind === 'client' ? principal.keyId : (principal?.kind ?? 'none'),
          method: req.method,
          route,
          status,
          latencyMs: Math.round(seconds * 1000),
          ...(report?.served === undefined ? {} : report.served),
          ...(report?.usage === undefined || report.usage === null ? {} : { tokens: { prompt: report.usage.promptTokens, completion: report.usage.completionTokens } }),
          ...(report?.coalesced === true ? { coalesced: true } : {}),
          ...(errorCode === undefined ? {} : { errorCode }),
          ...(report?.content === undefined ? {} : { content: report.content }),
          clientGone: !res.writableFinished,
        },
        'request',
      );
    });
    next();
  };
}
