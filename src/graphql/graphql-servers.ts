/**
 * Apollo Server for queries and mutations over HTTP, and graphql-ws for subscriptions, both on
 * `/graphql` of the same http.Server. Apollo does not own termination signals; the process does.
 */
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { GatewayError } from '../errors.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { abortWhenClientLeaves } from '../http/client-abort-signal.js';
import { clientIdOf, clientIdOfUpgrade } from '../http/client-identity.js';
import { requestIdFrom, requestIdOf } from '../http/request-id.js';
import type { Logger } from '../observability/logger.js';
import type { RequestValidator } from '../rest/request-validator.js';
import type { GraphQLContext } from './context.js';
import { formatGraphQLError, gatewayErrorExtensions } from './format-error.js';

export const GRAPHQL_PATH = '/graphql';

export interface GraphqlServersDeps {
  schema: GraphQLSchema;
  httpServer: Server;
  gateway: GatewayService;
  validator: RequestValidator;
  logger: Logger;
  introspection: boolean;
  production: boolean;
  maxBodyBytes: number;
}

export interface GraphqlServers {
  /** Mount at GRAPHQL_PATH. */
  middleware: RequestHandler[];
  errorHandler: ErrorRequestHandler;
  stop(): Promise<void>;
}

export async function createGraphqlServers(deps: GraphqlServersDeps): Promise<GraphqlServers> {
  const wsServer = new WebSocketServer({ server: deps.httpServer, path: GRAPHQL_PATH });
  const wsCleanup = useServer<Record<string, unknown>, { socketClosed: AbortSignal }>(
    {
      schema: deps.schema,
      context: (ctx): GraphQLContext => ({
        gateway: deps.gateway,
        validator: deps.validator,
        requestId: requestIdFrom(ctx.extra.request.headers['x-request-id']),
        clientId: clientIdOfUpgrade(ctx.extra.request),
        signal: ctx.extra.socketClosed ?? new AbortController().signal,
      }),
      onConnect: (ctx) => {
        const closed = new AbortController();
        ctx.extra.socket.once('close', () => closed.abort(new Error('WebSocket closed')));
        Object.assign(ctx.extra, { socketClosed: closed.signal });
        return true;
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors === undefined ? result : { ...result, errors: result.errors.map((error) => formatGraphQLError(error.toJSON(), error)) },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatGraphQLError(error.toJSON(), error)) as unknown as typeof errors,
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema: deps.schema,
    introspection: deps.introspection,
    stopOnTerminationSignals: false,
    formatError: (formatted: GraphQLFormattedError, error: unknown) => formatGraphQLError(formatted, error),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: deps.httpServer }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      ...(deps.production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();

  const errorHandler: ErrorRequestHandler = (error: { type?: string }, _req, res, next) => {
    const gatewayError =
      error.type === 'entity.parse.failed'
        ? new GatewayError('invalid_json', 'The request body is not valid JSON.')
        : error.type === 'entity.too.large'
          ? new GatewayError('payload_too_large', `The request body is larger than ${deps.maxBodyBytes} bytes.`)
          : undefined;
    if (gatewayError === undefined) {
      next(error);
      return;
    }
    res.status(gatewayError.status).json({ errors: [{ message: gatewayError.message, extensions: gatewayErrorExtensions(gatewayError) }] });
  };

  return {
    middleware: [
      express.json({ limit: deps.maxBodyBytes }),
      expressMiddleware(apollo, {
        context: async ({ req, res }) => ({
          gateway: deps.gateway,
          validator: deps.validator,
          requestId: requestIdOf(res),
          clientId: clientIdOf(req),
          signal: abortWhenClientLeaves(res).signal,
        }),
      }),
    ],
    errorHandler,
    stop: () => apollo.stop(),
  };
}
