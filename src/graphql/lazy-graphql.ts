/**
 * GraphQL (the schema, Apollo Server and graphql-ws) built on its first request or WebSocket
 * upgrade rather than at start-up. A replica serving only REST then never holds them in memory,
 * which is most of what kept an idle replica above 80 MB (bench/README.md, "Idle memory"). The
 * first GraphQL call waits for the start (about a tenth of a second); every later one goes
 * straight through. What GraphQL answers is the same either way.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '../observability/logger.js';
import type { GraphqlServers, GraphqlServersDeps } from './graphql-servers.js';

export interface LazyGraphql {
  middleware: RequestHandler[];
  errorHandler: ErrorRequestHandler;
  /** The schema, built on first use (the served SDL needs it too). */
  schema(): Promise<GraphQLSchema>;
  goAway(): Promise<void>;
  stop(): Promise<void>;
}

export function lazyGraphqlServers(deps: Omit<GraphqlServersDeps, 'schema'> & { httpServer: Server; logger: Logger }): LazyGraphql {
  let schema: Promise<GraphQLSchema> | undefined;
  let starting: Promise<GraphqlServers> | undefined;
  let started: GraphqlServers | undefined;
  let stopped = false;

  const loadSchema = (): Promise<GraphQLSchema> => (schema ??= import('./schema.js').then((module) => module.createGraphqlSchema()));
  const start = (): Promise<GraphqlServers> =>
    (starting ??= (async () => {
      const [{ createGraphqlServers }, built] = await Promise.all([import('./graphql-servers.js'), loadSchema()]);
      started = await createGraphqlServers({ ...deps, schema: built });
      return started;
    })());

  deps.httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (started !== undefined) {
      started.handleUpgrade(request, socket, head);
      return;
    }
    if (stopped) {
      socket.destroy();
      return;
    }
    start().then(
      (servers) => servers.handleUpgrade(request, socket, head),
      (error: unknown) => {
        deps.logger.error({ err: error }, 'GraphQL could not start');
        socket.destroy();
      },
    );
  });

  // The body reader and Apollo, run as Express would run the two middlewares.
  const serve: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
    const run = (servers: GraphqlServers) => {
      const step = (index: number) => (error?: unknown) => {
        if (error !== undefined) return next(error);
        const handler = servers.middleware[index];
        if (handler === undefined) return next();
        return handler(req, res, step(index + 1));
      };
      return step(0)();
    };
    if (started !== undefined) return run(started);
    return start().then(run, next);
  };

  return {
    middleware: [serve],
    errorHandler: (error, req, res, next) => (started === undefined ? next(error) : started.errorHandler(error, req, res, next)),
    schema: loadSchema,
    goAway: async () => {
      await started?.goAway();
    },
    stop: async () => {
      stopped = true;
      // A start under way is finished first, so what it opened is closed too.
      const servers = started ?? (starting === undefined ? undefined : await starting.catch(() => undefined));
      await servers?.stop();
    },
  };
}
