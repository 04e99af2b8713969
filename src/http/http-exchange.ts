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
}

export type HttpNext = (error?: unknown) => void;

export type HttpMiddleware = (req: HttpRequest, res: HttpResponse, next: HttpNext) => void | Promise<void>;

/** A request target's path, without its query. */
export function pathOf(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? url : url.slice(0, queryAt);
}
