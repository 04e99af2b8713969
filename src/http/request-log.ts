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
  // The line below is built field by field from ids, names and counts (a key's id, never the key),
  // so the logger's redaction, a safety net for logged objects, has nothing to find in it; its
  // wildcard path would still run every field of every line through a redactor (2-4 µs a line).
  const requestLog = logger.child({}, { redact: { paths: [] } });
  return (req: HttpRequest, res: HttpResponse, next: HttpNext): void => {
    const started = performance.now();
    reportOf(res).receivedAt = started;
    // 'close' comes once per response; `on` spares the once-wrapper every request would allocate.
    res.on('close', writeRequestLine.bind(undefined, requestLog, metrics, req, res, started));
    next();
  };
}

/**
 * The line and the samples for one finished response. Bound, not a closure: V8 keeps a closure's
 * optimized code only while a closure that ran it is alive, and most of a once-per-request
 * closure's instances have not run yet, so its body was compiled again after every full
 * collection (bench/README.md, "Eleventh pass").
 */
function writeRequestLine(requestLog: Logger, metrics: GatewayMetrics, req: HttpRequest, res: HttpResponse, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  const route = routeOf(req);
  const status = res.headersSent ? res.statusCode : 499;
  metrics.observeRequest(route, req.method ?? '', status, seconds);
  const report = res.locals.report as ResponseReport | undefined;
  const principal = principalOf(res);
  const errorCode = res.locals.errorCode as string | undefined;
  if (errorCode !== undefined) metrics.countError(errorCode);
  const line: Record<string, unknown> = {
    requestId: requestIdOf(res),
    keyId: principal?.kind === 'client' ? principal.keyId : (principal?.kind ?? 'none'),
    method: req.method,
    route,
    status,
    latencyMs: Math.round(seconds * 1000),
  };
  // Fields set one by one rather than spread: the line is built for every request.
  const served = report?.served;
  if (served !== undefined) {
    line.provider = served.provider;
    line.model = served.model;
    line.attempts = served.attempts;
    line.cacheStatus = served.cacheStatus;
  }
  const usage = report?.usage;
  if (usage !== undefined && usage !== null) line.tokens = { prompt: usage.promptTokens, completion: usage.completionTokens };
  if (report?.coalesced === true) line.coalesced = true;
  if (errorCode !== undefined) line.errorCode = errorCode;
  if (report?.content !== undefined) line.content = report.content;
  line.clientGone = !res.writableFinished;
  requestLog.info(line, 'request');
}
