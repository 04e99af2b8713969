/**
 * Apollo Server for queries and mutations over HTTP, and graphql-ws for subscriptions, both on
 * `/graphql` of the same server. Both apply the same query limits and the same access checks.
 * Apollo does not own termination signals; the process does.
 */
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { NoSchemaIntrospectionCustomRule, specifiedRules, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { SecurityConfig } from '../config/security.js';
import type { RequestValidator } from '../contract/request-validator.js';
import { isGatewayError } from '../errors.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { abortWhenClientLeaves } from '../http/client-abort-signal.js';
import { parseJsonBody } from '../http/json-body.js';
import { httpRequestFacts } from '../http/request-facts.js';
import type { OpenStreams } from '../lifecycle/open-streams.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { GraphQLContext } from './context.js';
import { formatGraphQLError, gatewayErrorExtensions } from './format-error.js';
import { queryLimitsRule } from './query-limits.js';
import { createSubscriptionServer, type SubscriptionServer } from './subscription-server.js';


export interface GraphqlServersDeps {
  schema: GraphQLSchema;
  httpServer: Server;
  gateway: GatewayService;
  validator: RequestValidator;
  logger: Logger;
  metrics: GatewayMetrics;
  streams: OpenStreams;
  introspection: boolean;
  production: boolean;
  maxBodyBytes: number;
  security: Pick<SecurityConfig, 'graphql' | 'websocket' | 'authEnabled' | 'corsOrigins'>;
}

export interface GraphqlServers {
  /** Mount at GRAPHQL_PATH. */
  middleware: RequestHandler[];
  errorHandler: ErrorRequestHandler;
  /** The HTTP server's upgrades: graphql-ws on GRAPHQL_PATH. */
  handleUpgrade: SubscriptionServer['handleUpgrade'];
  /** Closes every WebSocket with 1001 Going away; at the end of the drain, before servers close. */
  goAway(): Promise<void>;
  stop(): Promise<void>;
}

// Body errors (bad JSON, too large) in GraphQL's response shape; anything else goes to the REST handler.
const bodyErrorHandler: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  if (!isGatewayError(error)) {
    next(error);
    return;
  }
  res.status(error.status).json({ errors: [{ message: error.message, extensions: gatewayErrorExtensions(error) }] });
};

export async function createGraphqlServers(deps: GraphqlServersDeps): Promise<GraphqlServers> {
  const limitsRule = queryLimitsRule({ ...deps.security.graphql, introspection: deps.introspection });
  const formatError = (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = formatGraphQLError(formatted, error);
    const code = result.extensions?.code;
    if (typeof code === 'string') deps.metrics.countError(code);
    return result;
  };
  // Apollo adds its own introspection ban when introspection is off; graphql-ws needs it spelled out.
  const rules = [...specifiedRules, limitsRule, ...(deps.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
  const subscriptions = createSubscriptionServer({ ...deps, rules, maxTokens: deps.security.graphql.maxTokens, websocket: deps.security.websocket, openGatewayOrigins: deps.security.authEnabled ? undefined : deps.security.corsOrigins, formatError });

  const apollo = new ApolloServer<GraphQLContext>({
    schema: deps.schema,
    introspection: deps.introspection,
    stopOnTerminationSignals: false,
    validationRules: [limitsRule],
    // A document is refused above this many tokens before it is validated, so a huge one cannot hold the event loop.
    parseOptions: { maxTokens: deps.security.graphql.maxTokens },
    // One operation per request: batching multiplies the work one request can ask for.
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    formatError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: deps.httpServer }),
      { serverWillStart: async () => ({ drainServer: () => subscriptions.dispose() }) },
      ...(deps.production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();

  const context = async ({ req, res }: Parameters<Parameters<typeof expressMiddleware<GraphQLContext>>[1]['context']>[0]): Promise<GraphQLContext> => ({
    ...httpRequestFacts(req, res),
    gateway: deps.gateway,
    validator: deps.validator,
    signal: abortWhenClientLeaves(res).signal,
    streams: deps.streams,
  });
  return {
    middleware: [parseJsonBody(deps.maxBodyBytes), expressMiddleware(apollo, { context })],
    errorHandler: bodyErrorHandler,
    handleUpgrade: (request, socket, head) => subscriptions.handleUpgrade(request, socket, head),
    goAway: () => subscriptions.goAway(),
    stop: () => apollo.stop(),
  };
}
