/**
 * The request and response the completion routes' middleware and handlers are written against:
 * Node's own objects with the few fields the dispatch sets, never Express's additions. The hot-route
 * dispatch (hot-routes.ts) serves those routes on Node's objects as they come, because turning them
 * into Express's (a prototype swap per request and response) cost about a fifth of a request's CPU
 * (bench/README.md, "Performance work"). Express's request and response are these too, so the same
 * functions serve Express's routes unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HttpRequest extends IncomingMessage {
  /** The parsed JSON body, once the body reader has run. */
  body?: unknown;
  /** The matched route, as Express sets it (`path` in Express's syntax). */
  route?: { path?: unknown };
  /** Where a mounted router starts (`/graphql`); '' at the top. */
  baseUrl?: string;
  /** The client's address as resolved through the trusted proxies (Express's `req.ip`). */
  ip?: string;
}

export interface HttpResponse extends ServerResponse {
  /** Per-request state shared by the middleware: request id, principal, report. */
  locals: Record<string, unknown>;
  /**
   * On a hot route, the headers the middleware set for every answer (security headers, request
   * id), as name/value pairs, waiting to go out with the answer's own in one `writeHead`. Undefined
   * on Express's routes and once the head is written or an error handler takes over.
   */
  earlyHeaders?: string[];
}

export type HttpNext = (error?: unknown) => void;

export type HttpMiddleware = (req: HttpRequest, res: HttpResponse, next: HttpNext) => void | Promise<void>;

/** A request target's path, without its query. */
export function pathOf(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? url : url.slice(0, queryAt);
}

/**
 * Sets a header every answer carries: at once on Express's routes; on a hot route it waits for the
 * answer's head. Node's `setHeader` lowercases each name into a fresh string and files it in a
 * dictionary; one `writeHead` with a list of pairs costs about half of that per response
 * (bench/README.md, "Performance work"). Names set this way must not be ones an answer sets itself,
 * or the answer would carry both.
 */
export function setEarlyHeader(res: HttpResponse, name: string, value: string): void {
  const early = res.earlyHeaders;
  if (early === undefined) res.setHeader(name, value);
  else early.push(name, value);
}

/** The waiting headers, taken: from now on nothing waits. */
function takeEarlyHeaders(res: HttpResponse): string[] | undefined {
  const early = res.earlyHeaders;
  res.earlyHeaders = undefined;
  return early;
}

/**
 * Writes an answer's head: `pairs` (name/value, in turn) and then `own`. On a hot route the waiting
 * headers go first, all in one `writeHead`; should Node refuse one of the answer's, the waiting ones
 * wait again, so the error's answer still carries them. Elsewhere the answer's are set on top of
 * what the middleware set.
 */
export function writeAnswerHead(res: HttpResponse, status: number, pairs: readonly string[], own: Readonly<Record<string, string>>): void {
  const head = takeEarlyHeaders(res);
  if (head === undefined) {
    for (let at = 0; at < pairs.length; at += 2) res.setHeader(pairs[at] as string, pairs[at + 1] as string);
    for (const name in own) res.setHeader(name, own[name] as string);
    res.writeHead(status);
    return;
  }
  const earlyLength = head.length;
  head.push(...pairs);
  for (const name in own) head.push(name, own[name] as string);
  try {
    res.writeHead(status, head);
  } catch (error) {
    head.length = earlyLength;
    res.earlyHeaders = head;
    throw error;
  }
}

/** Hands the waiting headers to Node the usual way, for code that answers through `setHeader` (the error handlers). */
export function settleEarlyHeaders(res: HttpResponse): void {
  const early = takeEarlyHeaders(res);
  if (early === undefined) return;
  for (let at = 0; at < early.length; at += 2) res.setHeader(early[at] as string, early[at + 1] as string);
}
