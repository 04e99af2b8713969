/**
 * A whole JSON answer in one pass: the same bytes and headers as Express's `res.set(headers).json(body)`
 * (`application/json; charset=utf-8`, a Content-Length, no ETag), without `res.json`'s settings
 * lookups, content-type negotiation and freshness checks on the hot routes (bench/README.md,
 * "Performance work").
 */
import { writeAnswerHead, type HttpResponse } from '../http/http-exchange.js';
import { endInTurn } from '../sockets/writes-in-turn.js';

const JSON_TYPE = 'application/json; charset=utf-8';

export function sendJson(res: HttpResponse, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const json = JSON.stringify(body);
  writeAnswerHead(res, res.statusCode, ['Content-Type', JSON_TYPE, 'Content-Length', String(Buffer.byteLength(json))], headers);
  endInTurn(res, json);
}
