/**
 * createApp builds the whole service (Express for REST, Apollo and graphql-ws for GraphQL) on one
 * http.Server without listening, so tests can start it on an ephemeral port with their own parts.
 */
import http from 'node:http';
import https from 'node:https';
import cors from 'cors';
import helmet from 'helmet';
import { answerClientError } from './http/client-error.js';
import express, { type Express } from 'express';
import type { GatewayConfig } from './config.js';
import { GatewayService } from './gateway/gateway-service.js';
import { createGraphqlServers, GRAPHQL_PATH } from './graphql/graphql-servers.js';
import { createGraphqlSchema } from './graphql/schema.js';
import { assignRequestId } from './http/request-id.js';
import { authenticateRequests } from './http/principal.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createConfiguredProviders, type ProviderRegistry } from './providers/registry.js';
import { createErrorHandler, notFoundHandler } from './rest/error-responses.js';
import { createRequestValidator } from './rest/request-validator.js';
import { createRestRouter } from './rest/routes.js';
import { readOpenApiDocument } from './schema-files.js';
import { createStores } from './store/stores.js';
import { ApiKeys } from './auth/api-keys.js';
import { OutputFilter } from './output/output-filter.js';
import { GATEWAY_VERSION } from './version.js';

export interface AppDeps {
  logger?: Logger;
  /** Replaces the providers built from config (tests, embedding); the caller closes it. */
  registry?: ProviderRegistry;
}

export interface GatewayApp {
  readonly app: Express;
  readonly httpServer: http.Server;
  readonly gateway: GatewayService;
  readonly logger: Logger;
  /** Stops accepting work, ends open streams and subscriptions, releases sockets. */
  close(): Promise<void>;
}

// Above the 60 s idle timeout of common load balancers, so the balancer closes idle connections
// first and never sends a request down a socket the gateway is closing.
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const MAX_HEADER_BYTES = 128 * 1024;
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'X-Cache',
  'X-Gateway-Provider',
  'X-Gateway-Model',
  'X-Gateway-Attempts',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'Retry-After',
];

export async function createApp(config: GatewayConfig, deps: AppDeps = {}): Promise<GatewayApp> {
  const logger = deps.logger ?? createLogger(config.logLevel);
  const registry = deps.registry ?? createConfiguredProviders(config);
  const stores = createStores(config, logger);
  await stores.redis?.firstConnection;
  const gateway = new GatewayService({
    cache: stores.cache,
    limiter: stores.limiter,
    usage: stores.usage,
    ...(stores.redis === undefined ? {} : { redisReady: stores.redis.isReady }),
    apiKeys: new ApiKeys(config.security, stores.apiKeys),
    spend: stores.spend,
    inputLimits: config.security,
    outputFilter: new OutputFilter(config.security.output),
    registry,
    routing: config.routing,
    logger,
    version: GATEWAY_VERSION,
    requestTimeoutMs: config.requestTimeoutMs,
    retryBudget: config.retryBudget,
  });
  const validator = createRequestValidator(readOpenApiDocument());
  let shuttingDown = false;

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  // An API serves no HTML of its own except GraphQL's landing page in development, which loads its scripts from a CDN.
  app.use(helmet({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
  if (config.security.corsOrigins.length > 0) {
    app.use(cors({ origin: [...config.security.corsOrigins], allowedHeaders: ['Authorization', 'Content-Type', 'Cache-Control', 'X-Request-Id'], exposedHeaders: EXPOSED_HEADERS, maxAge: 600 }));
  }
  // Headers up to 128 KiB reach the handlers, so even an absurd API key gets a proper 401.
  const serverOptions = { maxHeaderSize: MAX_HEADER_BYTES };
  const httpServer: http.Server = config.security.tls === undefined ? http.createServer(serverOptions, app) : https.createServer({ ...serverOptions, ...config.security.tls }, app);
  httpServer.on('clientError', answerClientError);
  httpServer.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  httpServer.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  // Streams may legitimately run for many minutes; upstream deadlines bound them instead.
  httpServer.requestTimeout = 0;

  const graphql = await createGraphqlServers({
    schema: createGraphqlSchema(),
    httpServer,
    gateway,
    validator,
    logger,
    introspection: config.graphqlIntrospection,
    production: config.nodeEnv === 'production',
    maxBodyBytes: config.maxBodyBytes,
    security: config.security,
  });

  app.use(assignRequestId);
  app.use(authenticateRequests(gateway));
  app.use(
    createRestRouter({
      gateway,
      validator,
      logger,
      maxBodyBytes: config.maxBodyBytes,
      sseHeartbeatMs: config.sseHeartbeatMs,
      isShuttingDown: () => shuttingDown,
    }),
  );
  app.use(GRAPHQL_PATH, ...graphql.middleware, graphql.errorHandler);
  app.use(notFoundHandler);
  app.use(createErrorHandler(logger));

  return {
    app,
    httpServer,
    gateway,
    logger,
    async close() {
      shuttingDown = true;
      await graphql.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      gateway.close();
      await stores.close();
      if (deps.registry === undefined) registry.close();
    },
  };
}
