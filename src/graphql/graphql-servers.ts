/**
 * Apollo Server for queries and mutations over HTTP, and graphql-ws for subscriptions, both on
 * `/graphql` of the same server. Both apply the same query limits and the same access checks;
 * WebSocket clients authenticate in `connection_init` and are capped per client and connection.
 * Apollo does not own termination signals; the process does.
 */
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { GraphQLError, specifiedRules, validate, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Principal } from '../auth/api-key-types.js';
import { bearerToken, clientIdFor } from '../auth/access.js';
import type { SecurityConfig } from '../config-security.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { abortWhenClientLeaves } from '../http/client-abort-signal.js';
import { clientIdOf, clientIdOfUpgrade } from '../http/client-identity.js';
import { parseJsonBody } from '../http/json-body.js';
import { principalOf } from '../http/principal.js';
import { requestIdFrom, requestIdOf } from '../http/request-id.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { reportOf } from '../observability/request-log.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import type { RequestValidator } from '../rest/request-validator.js';
import type { GraphQLContext } from './context.js';
import { formatGraphQLError, gatewayErrorExtensions } from './format-error.js';
import { queryLimitsRule } from './query-limits.js';

export const GRAPHQL_PATH = '/graphql';

export interface GraphqlServersDeps {
  schema: GraphQLSchema;
  httpServer: Server;
  gateway: GatewayService;
  validator: RequestValidator;
  logger: Logger;
  metrics: GatewayMetrics;
  lifecycle: Lifecycle;
  introspection: boolean;
  production: boolean;
  maxBodyBytes: number;
  security: Pick<SecurityConfig, 'graphql' | 'websocket'>;
}

export interface GraphqlServers {
  /** Mount at GRAPHQL_PATH. */
  middleware: RequestHandler[];
  errorHandler: ErrorRequestHandler;
  stop(): Promise<void>;
}

/** What graphql-ws keeps per connection. */
type ConnectionState = {
  principal?: Principal;
  clientId?: string;
  socketClosed?: AbortSignal;
  subscriptions?: number;
};

export async function createGraphqlServers(deps: GraphqlServersDeps): Promise<GraphqlServers> {
  const limitsRule = queryLimitsRule(deps.security.graphql);
  const countedFormat = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = formatGraphQLError(formatted, error);
    const code = result.extensions?.code;
    if (typeof code === 'string') deps.metrics.countError(code);
    return result;
  };
  const rules = [...specifiedRules, limitsRule];
  const ws = deps.security.websocket;
  const wsServer = new WebSocketServer({ server: deps.httpServer, path: GRAPHQL_PATH, maxPayload: ws.maxPayloadBytes });
  const connectionsPerClient = new Map<string, number>();

  const wsCleanup = useServer<Record<string, unknown> | undefined, ConnectionState>(
    {
      schema: deps.schema,
      connectionInitWaitTimeout: ws.connectionInitTimeoutMs,
      validate: (schema, document) => validate(schema, document, rules),
      context: (ctx): GraphQLContext => ({
        gateway: deps.gateway,
        validator: deps.validator,
        requestId: requestIdFrom(ctx.extra.request.headers['x-request-id']),
        clientId: ctx.extra.clientId ?? clientIdOfUpgrade(ctx.extra.request),
        principal: ctx.extra.principal,
        signal: ctx.extra.socketClosed ?? new AbortController().signal,
        streams: { lifecycle: deps.lifecycle, metrics: deps.metrics },
      }),
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = typeof params.authorization === 'string' ? params.authorization : typeof params.Authorization === 'string' ? params.Authorization : undefined;
        const token = bearerToken(header) ?? (typeof params.apiKey === 'string' ? params.apiKey : undefined);
        const principal = await deps.gateway.authenticate(token);
        // graphql-ws closes a refused connection with 4403 Forbidden.
        if (principal === undefined) return false;
        const clientId = clientIdFor(principal, clientIdOfUpgrade(ctx.extra.request));
        const open = connectionsPerClient.get(clientId) ?? 0;
        if (open >= ws.maxConnectionsPerClient) {
          ctx.extra.socket.close(CloseCode.Forbidden, 'Too many connections for this client');
          return false;
        }
        connectionsPerClient.set(clientId, open + 1);
        const closed = new AbortController();
        ctx.extra.socket.once('close', () => {
          closed.abort(new Error('WebSocket closed'));
          const remaining = (connectionsPerClient.get(clientId) ?? 1) - 1;
          if (remaining <= 0) connectionsPerClient.delete(clientId);
          else connectionsPerClient.set(clientId, remaining);
        });
        Object.assign(ctx.extra, { principal, clientId, socketClosed: closed.signal, subscriptions: 0 });
        return true;
      },
      onSubscribe: (ctx) => {
        const active = ctx.extra.subscriptions ?? 0;
        if (active >= ws.maxSubscriptionsPerConnection) {
          const error = new GatewayError('rate_limit_exceeded', `At most ${ws.maxSubscriptionsPerConnection} subscriptions per connection.`);
          return [new GraphQLError(error.message, { extensions: gatewayErrorExtensions(error) })];
        }
        ctx.extra.subscriptions = active + 1;
        return undefined;
      },
      onComplete: (ctx) => {
        ctx.extra.subscriptions = Math.max(0, (ctx.extra.subscriptions ?? 1) - 1);
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors === undefined ? result : { ...result, errors: result.errors.map((error) => countedFormat(error.toJSON(), error)) },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => countedFormat(error.toJSON(), error)) as unknown as typeof errors,
    },
    wsServer,
  );

  // Socket errors are the client's doing (an oversized frame, a reset): ws has already answered
  // with the right close code, so log them quietly instead of graphql-ws's console output.
  wsServer.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      deps.logger.debug({ code: error.code }, 'websocket client error');
      socket.terminate();
    });
  });

  const apollo = new ApolloServer<GraphQLContext>({
    schema: deps.schema,
    introspection: deps.introspection,
    stopOnTerminationSignals: false,
    validationRules: [limitsRule],
    // One operation per request: batching multiplies the work one request can ask for.
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    formatError: countedFormat,
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

  // Body errors (bad JSON, too large) in GraphQL's response shape; anything else goes to the REST handler.
  const errorHandler: ErrorRequestHandler = (error: unknown, _req, res, next) => {
    if (!isGatewayError(error)) {
      next(error);
      return;
    }
    res.status(error.status).json({ errors: [{ message: error.message, extensions: gatewayErrorExtensions(error) }] });
  };

  return {
    middleware: [
      parseJsonBody(deps.maxBodyBytes),
      expressMiddleware(apollo, {
        context: async ({ req, res }) => ({
          gateway: deps.gateway,
          validator: deps.validator,
          requestId: requestIdOf(res),
          clientId: clientIdFor(principalOf(res), clientIdOf(req)),
          principal: principalOf(res),
          signal: abortWhenClientLeaves(res).signal,
          report: reportOf(res),
          streams: { lifecycle: deps.lifecycle, metrics: deps.metrics },
        }),
      }),
    ],
    errorHandler,
    stop: () => apollo.stop(),
  };
}
