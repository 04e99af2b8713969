/**
 * A whole JSON answer in one pass: the same bytes and headers as Express's `res.set(headers).json(body)`
 * (`application/json; charset=utf-8`, a Content-Length, no ETag), without `res.json`'s settings
 * lookups, content-type negotiation and freshness checks on the hot routes (bench/README.md,
 * "Performance work").
 */
import { takeEarlyHeaders, writeHeadAfterEarly, type HttpResponse } from '../http/http-exchange.js';

const JSON_TYPE = 'application/json; charset=utf-8';

export function sendJson(res: HttpResponse, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const json = JSON.stringify(body);
  const length = String(Buffer.byteLength(json));
  const head = takeEarlyHeaders(res);
  if (head === undefined) {
    for (const name in headers) res.setHeader(name, headers[name] as string);
    res.setHeader('Content-Type', JSON_TYPE);
    res.setHeader('Content-Length', length);
  } else {
    // On a hot route: the middleware's headers and the answer's in one head.
    const earlyLength = head.length;
    for (const name in headers) head.push(name, headers[name] as string);
    head.push('Content-Type', JSON_TYPE, 'Content-Length', length);
    writeHeadAfterEarly(res, res.statusCode, head, earlyLength);
  }
  res.end(json);
}
