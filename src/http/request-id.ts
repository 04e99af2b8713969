/**
 * Every request gets an id: the caller's `X-Request-Id` when it is a plain token, a new UUID
 * otherwise. It is echoed back, forwarded upstream and put on every log line of the request.
 */
import { randomUUID } from 'node:crypto';
import { setEarlyHeader, type HttpNext, type HttpRequest, type HttpResponse } from './http-exchange.js';

const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}

export function assignRequestId(req: HttpRequest, res: HttpResponse, next: HttpNext): void {
  const id = requestIdFrom(req.headers['x-request-id']);
  res.locals.requestId = id;
  setEarlyHeader(res, 'X-Request-Id', id);
  next();
}

export function requestIdOf(res: HttpResponse): string {
  return typeof res.locals.requestId === 'string' ? res.locals.requestId : randomUUID();
}
