/**
 * Helmet's response headers at the cost of one loop. Helmet decides the headers (its defaults move
 * with the package); they are the same for every response, so they are collected once at start-up
 * instead of running its twelve middlewares on every request of the hot path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setEarlyHeader, type HttpMiddleware, type HttpNext, type HttpRequest, type HttpResponse } from './http-exchange.js';
import helmet, { type HelmetOptions } from 'helmet';

export function securityHeaders(options: Readonly<HelmetOptions>): HttpMiddleware {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.push([name, String(value)]);
    },
    removeHeader() {},
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => {
    finished = true;
  });
  // Helmet runs synchronously today; if a release ever defers, fail at start-up rather than send no headers.
  if (!finished || headers.length === 0) throw new Error('helmet did not set its headers synchronously');
  return (_req: HttpRequest, res: HttpResponse, next: HttpNext) => {
    for (const [name, value] of headers) setEarlyHeader(res, name, value);
    next();
  };
}
