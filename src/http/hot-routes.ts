/**
 * A lean dispatch in front of Express for the completion routes, which carry nearly all traffic.
 * Express's router walks every `app.use` layer and route with path matching, URL parsing and a
 * `next` hop per layer before a chat request reaches its handler; that walk measured about a tenth
 * of a request's CPU. And before its router runs, Express swaps the prototypes of Node's request and
 * response for its own, which measured about a fifth (bench/README.md, "Performance work"). A hot
 * route runs the very same middleware and handler functions Express would, in the same order, on
 * Node's own request and response: those functions are typed against http-exchange.ts, so they
 * cannot reach for Express's additions. Only an error turns the pair into Express's, for the
 * error handlers that answer with `res.status().json()`. Anything else, and any hot path spelled
 * differently (a trailing slash, other case), goes to Express unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Express, Request, Response } from 'express';
import { clientAddress, type TrustProxy } from './client-identity.js';
import { pathOf, settleEarlyHeaders, type HttpMiddleware, type HttpRequest, type HttpResponse } from './http-exchange.js';

export interface HotRoute {
  /** The app-level middleware every request passes, in Express's order. */
  middleware: readonly HttpMiddleware[];
  /** The route's own handlers, in Express's order; the last one answers. */
  handlers: readonly HttpMiddleware[];
  /** Error handlers, in Express's order; the last one must answer. */
  errorHandlers: readonly ErrorRequestHandler[];
}

interface CompiledRoute {
  chain: readonly HttpMiddleware[];
  /** Where the route's own handlers start: Express sets `req.route` there, and the request log reads it. */
  routeStart: number;
  route: { path: string };
  errorHandlers: readonly ErrorRequestHandler[];
}

export class HotRoutes {
  private readonly routes = new Map<string, CompiledRoute>();

  /** Express's compiled `trust proxy` setting, for the client address Express's `req.ip` would give. */
  private readonly trust: TrustProxy;

  constructor(private readonly app: Express) {
    this.trust = app.get('trust proxy fn') as TrustProxy;
  }

  add(method: 'POST', path: string, route: HotRoute): void {
    this.routes.set(`${method} ${path}`, { chain: [...route.middleware, ...route.handlers], routeStart: route.middleware.length, route: { path }, errorHandlers: route.errorHandlers });
  }

  /** The server's request listener: a hot route here, everything else to Express. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    const hot = this.routes.size === 0 ? undefined : this.routes.get(`${req.method ?? ''} ${pathOf(req.url ?? '')}`);
    if (hot === undefined) {
      this.app(req, res);
      return;
    }
    this.serve(hot, req as HttpRequest, this.withLocals(req, res));
  };

  /** The fields the hot routes' functions read that Node's objects do not have. */
  private withLocals(req: IncomingMessage, res: ServerResponse): HttpResponse {
    const response = res as HttpResponse;
    response.locals = Object.create(null) as Record<string, unknown>;
    // The middleware's headers wait for the answer's head (http-exchange.ts).
    response.earlyHeaders = [];
    const request = req as HttpRequest;
    request.baseUrl = '';
    request.ip = clientAddress(request, this.trust);
    return response;
  }

  private serve(hot: CompiledRoute, req: HttpRequest, res: HttpResponse): void {
    new HotDispatch(hot, req, res, this.app).next();
  }
}

/**
 * One request's walk along its route's chain, as Express's router would walk it. Its steps are
 * methods and its `next` is bound once per request, not closures made per request: V8 keeps a
 * closure's optimized code only while a closure that ran it is alive, so those were compiled again
 * after every full collection (bench/README.md, "Eleventh pass").
 */
class HotDispatch {
  private index = 0;
  private errorIndex = 0;
  private express: { req: Request; res: Response } | undefined;
  readonly next: (error?: unknown) => void;

  constructor(
    private readonly hot: CompiledRoute,
    private readonly req: HttpRequest,
    private readonly res: HttpResponse,
    private readonly app: Express,
  ) {
    this.next = this.advance.bind(this);
  }

  private advance(error?: unknown): void {
    if (error !== undefined && error !== 'route' && error !== 'router') {
      this.fail(error);
      return;
    }
    const { hot, req } = this;
    if (this.index === hot.routeStart) req.route = hot.route;
    const handler = hot.chain[this.index++];
    // Unreachable while each route's last handler answers, as every REST route's does.
    if (handler === undefined) return;
    // As Express 5: a handler that throws or whose promise rejects passes its error on.
    try {
      this.passRejection(handler(req, this.res, this.next));
    } catch (caught) {
      this.next(caught);
    }
  }

  private fail(error: unknown): void {
    const { res } = this;
    const handler = this.hot.errorHandlers[this.errorIndex++];
    if (handler === undefined) {
      // Every chain ends in an error handler that answers; this only guards against one that passes the error on.
      settleEarlyHeaders(res);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
      return;
    }
    // The same two objects, from now on with Express's prototypes.
    const pair = (this.express ??= asExpress(this.app, this.req, res));
    try {
      this.passRejection(handler(error, pair.req, pair.res, this.next));
    } catch (caught) {
      this.next(caught);
    }
  }

  /** A handler's rejected promise passes its error on, as a throw does. */
  private passRejection(result: unknown): void {
    if (result instanceof Promise) result.then(undefined, (error: unknown) => this.next(error ?? new Error('rejected promise')));
  }
}

/** What Express's `app.handle` does before its router runs, for the error handlers; `locals` is kept. */
function asExpress(app: Express, req: HttpRequest, res: HttpResponse): { req: Request; res: Response } {
  // Express's handlers answer through `setHeader`: the waiting headers go to Node first.
  settleEarlyHeaders(res);
  const request = Object.setPrototypeOf(req, app.request) as Request;
  const response = Object.setPrototypeOf(res, app.response) as Response;
  request.res = response;
  response.req = request;
  request.originalUrl = request.url;
  request.params = {};
  return { req: request, res: response };
}
