/**
 * A lean dispatch in front of Express for the completion routes, which carry nearly all traffic.
 * Express's router walks every `app.use` layer and route with path matching, URL parsing and a
 * `next` hop per layer before a chat request reaches its handler; that walk measured about a tenth
 * of a request's CPU (bench/README.md, "Performance work"). A hot route runs the very same middleware
 * and handler functions Express would, in the same order, on the same Express request and response
 * objects; only the walk is skipped. Anything else, and any hot path spelled differently (a trailing
 * slash, other case), goes to Express unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express, Request, RequestHandler, Response } from 'express';

export interface HotRoute {
  /** The app-level middleware every request passes, in Express's order. */
  middleware: readonly RequestHandler[];
  /** The route's own handlers, in Express's order; the last one answers. */
  handlers: readonly RequestHandler[];
  /** Error handlers, in Express's order; the last one must answer. */
  errorHandlers: readonly ErrorRequestHandler[];
}

interface CompiledRoute {
  chain: readonly RequestHandler[];
  /** Where the route's own handlers start: Express sets `req.route` there, and the request log reads it. */
  routeStart: number;
  route: { path: string };
  errorHandlers: readonly ErrorRequestHandler[];
}

export class HotRoutes {
  private readonly routes = new Map<string, CompiledRoute>();

  constructor(private readonly app: Express) {}

  add(method: 'POST', path: string, route: HotRoute): void {
    this.routes.set(`${method} ${path}`, { chain: [...route.middleware, ...route.handlers], routeStart: route.middleware.length, route: { path }, errorHandlers: route.errorHandlers });
  }

  /** The server's request listener: a hot route here, everything else to Express. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const hot = this.routes.size === 0 ? undefined : this.routes.get(`${req.method ?? ''} ${queryAt === -1 ? url : url.slice(0, queryAt)}`);
    if (hot === undefined) {
      this.app(req, res);
      return;
    }
    this.serve(hot, this.asExpress(req, res));
  };

  /** What Express's `app.handle` does before its router runs. */
  private asExpress(req: IncomingMessage, res: ServerResponse): { req: Request; res: Response } {
    const request = Object.setPrototypeOf(req, this.app.request) as Request;
    const response = Object.setPrototypeOf(res, this.app.response) as Response;
    request.res = response;
    response.req = request;
    response.locals = Object.create(null) as Record<string, unknown>;
    request.originalUrl = request.url;
    request.baseUrl = '';
    request.params = {};
    return { req: request, res: response };
  }

  private serve(hot: CompiledRoute, { req, res }: { req: Request; res: Response }): void {
    let index = 0;
    let errorIndex = 0;
    const fail = (error: unknown): void => {
      const handler = hot.errorHandlers[errorIndex++];
      if (handler === undefined) {
        // Every chain ends in an error handler that answers; this only guards against one that passes the error on.
        if (!res.headersSent) res.statusCode = 500;
        res.end();
        return;
      }
      run(() => handler(error, req, res, next));
    };
    const next = (error?: unknown): void => {
      if (error !== undefined && error !== 'route' && error !== 'router') {
        fail(error);
        return;
      }
      if (index === hot.routeStart) req.route = hot.route;
      const handler = hot.chain[index++];
      // Unreachable while each route's last handler answers, as every REST route's does.
      if (handler === undefined) return;
      run(() => handler(req, res, next));
    };
    // As Express 5: a handler that throws or whose promise rejects passes its error on.
    const run = (call: () => unknown): void => {
      try {
        const result = call();
        if (result instanceof Promise) result.then(undefined, (error: unknown) => next(error ?? new Error('rejected promise')));
      } catch (error) {
        next(error);
      }
    };
    next();
  }
}
