/**
 * createApp builds the whole service (Express for REST, Apollo and graphql-ws for GraphQL,
 * terminus for health and termination) on one server without listening, so tests can start it on
 * an ephemeral port with their own parts. Only main.ts listens and lets terminus own the signals.
 */
import type http from 'node:http';
import { createTerminus } from '@godaddy/terminus';
import cors from 'cors';
import express, { type Express } from 'express';
import { ApiKeys } from './auth/api-keys.js';
import type { GatewayConfig } from './config.js';
import { GatewayService } from './gateway/gateway-service.js';
import { createGraphqlServers, GRAPHQL_PATH } from './graphql/graphql-servers.js';
import { createGraphqlSchema } from './graphql/schema.js';
import { docsRouter } from './docs/docs-routes.js';
import { HealthChecks } from './health/health-checks.js';
import { createHttpServer } from './http/create-http-server.js';
import { authenticateRequests } from './http/principal.js';
import { assignRequestId } from './http/request-id.js';
import { securityHeaders } from './http/security-headers.js';
import { Lifecycle } from './lifecycle/lifecycle.js';
import { createLogger, type Logger } from './observability/logger.js';
import { metricsHandler } from './observability/metrics-endpoint.js';
import { GatewayMetrics } from './observability/metrics.js';
import { logRequests } from './observability/request-log.js';
import { OutputFilter } from './output/output-filter.js';
import { createConfiguredProviders, type ProviderRegistry } from './providers/registry.js';
import { createErrorHandler, notFoundHandler } from './rest/error-responses.js';
import { createRequestValidator } from './rest/request-validator.js';
import { createRestRouter } from './rest/routes.js';
import { readOpenApiDocument } from './schema-files.js';
import { createStores } from './store/stores.js';
import { GATEWAY_VERSION } from './version.js';

export interface AppDeps {
  logger?: Logger;
  /** Replaces the providers built from config (tests, embedding); the caller closes it. */
  registry?: ProviderRegistry;
}

export interface AppOptions {
  /** Let terminus handle SIGTERM and SIGINT (graceful shutdown, then exit 0). main.ts only. */
  handleSignals?: boolean;
}

export interface GatewayApp {
  readonly app: Express;
  readonly httpServer: http.Server;
  /** Serves /metrics when METRICS_PORT is set; main.ts listens on it. */
  readonly metricsServer: http.Server | undefined;
  readonly gateway: GatewayService;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly lifecycle: Lifecycle;
  /** Readiness 503, wait SHUTDOWN_DELAY_MS, let streams finish within SHUTDOWN_GRACE_MS, end the rest. */
  drain(): Promise<void>;
  /** drain(), then close the servers, Redis and upstream sockets. */
  close(): Promise<void>;
}

const EXPOSED_HEADERS = ['X-Request-Id', 'X-Cache', 'X-Gateway-Provider', 'X-Gateway-Model', 'X-Gateway-Attempts', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'];

export async function createApp(config: GatewayConfig, deps: AppDeps = {}, options: AppOptions = {}): Promise<GatewayApp> {
  const observability = config.observability;
  const logger = deps.logger ?? createLogger(config.logLevel, undefined, observability.logFormat);
  const metrics = new GatewayMetrics();
  const lifecycle = new Lifecycle();
  const registry = deps.registry ?? createConfiguredProviders(config);
  const stores = createStores(config, logger, metrics);
  await stores.redis?.firstConnection;
  const gateway = new GatewayService({
    registry,
    routing: config.routing,
    logger,
    version: GATEWAY_VERSION,
    requestTimeoutMs: config.requestTimeoutMs,
    retryBudget: config.retryBudget,
    cache: stores.cache,
    limiter: stores.limiter,
    usage: stores.usage,
    ...(stores.redis === undefined ? {} : { redisReady: stores.redis.isReady }),
    apiKeys: new ApiKeys(config.security, stores.apiKeys),
    spend: stores.spend,
    inputLimits: config.security,
    outputFilter: new OutputFilter(config.security.output),
    metrics,
    logContent: observability.logContent,
    isShuttingDown: () => lifecycle.shuttingDown,
  });


  const app = express();
  app.disable('x-powered-by');
  // Completions are never the same twice and no client revalidates them: hashing every body for an ETag is wasted work.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  // An API serves no HTML of its own except GraphQL's landing page in development, which loads its scripts from a CDN.
  app.use(securityHeaders({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }));
  if (config.security.corsOrigins.length > 0) {
    app.use(cors({ origin: [...config.security.corsOrigins], allowedHeaders: ['Authorization', 'Content-Type', 'Cache-Control', 'X-Request-Id'], exposedHeaders: EXPOSED_HEADERS, maxAge: 600 }));
  }
  const httpServer = createHttpServer(app, config.security.tls);

  const schema = createGraphqlSchema();
  const openApiDocument = readOpenApiDocument();
  const validator = createRequestValidator(openApiDocument);
  const graphql = await createGraphqlServers({
    schema,
    httpServer,
    gateway,
    validator,
    logger,
    metrics,
    lifecycle,
    introspection: config.graphqlIntrospection,
    production: config.nodeEnv === 'production',
    maxBodyBytes: config.maxBodyBytes,
    security: config.security,
  });

  const serveMetrics = metricsHandler(metrics, observability.metricsToken);
  let metricsServer: http.Server | undefined;
  if (observability.metricsPort === 0) {
    app.get('/metrics', serveMetrics);
  } else {
    const metricsApp = express();
    metricsApp.get('/metrics', serveMetrics);
    metricsServer = createHttpServer(metricsApp, undefined);
  }

  app.use(assignRequestId);
  app.use(logRequests(logger, metrics));
  app.use(authenticateRequests(gateway));
  app.use(createRestRouter({ gateway, validator, logger, metrics, lifecycle, maxBodyBytes: config.maxBodyBytes, sseHeartbeatMs: config.sseHeartbeatMs }));
  // After the API routes, so chat requests do not walk past them; before GraphQL, which owns /graphql/*.
  app.use(docsRouter(openApiDocument, schema));
  app.use(GRAPHQL_PATH, ...graphql.middleware, graphql.errorHandler);
  app.use(notFoundHandler);
  app.use(createErrorHandler(logger));

  const health = new HealthChecks(gateway, lifecycle, observability.eventLoopLagMaxMs);
  let draining: Promise<void> | undefined;
  const drain = () => {
    draining ??= (async () => {
      lifecycle.beginShutdown();
      logger.info({ delayMs: observability.shutdownDelayMs, graceMs: observability.shutdownGraceMs, openStreams: lifecycle.openStreams }, 'shutting down: readiness is now 503');
      await new Promise((resolve) => setTimeout(resolve, observability.shutdownDelayMs));
      await lifecycle.drain(observability.shutdownGraceMs);
    })();
    return draining;
  };
  let releasing: Promise<void> | undefined;
  const release = () => {
    releasing ??= (async () => {
      try {
        await graphql.stop();
      } catch (error) {
        logger.debug({ err: error }, 'graphql servers already stopped');
      }
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      if (metricsServer?.listening === true) await new Promise<void>((resolve) => metricsServer?.close(() => resolve()));
      health.close();
      gateway.close();
      await stores.close();
      if (deps.registry === undefined) registry.close();
      logger.info('shut down cleanly');
    })();
    return releasing;
  };

  const signalListenersBefore = new Set(process.listeners('SIGTERM'));
  createTerminus(httpServer, {
    healthChecks: { '/health/live': health.live, '/health/ready': health.ready, verbatim: true },
    statusOkResponse: {},
    statusErrorResponse: {},
    // Our readiness check answers 503 with a full report during shutdown; liveness stays 200.
    sendFailuresDuringShutdown: false,
    signals: options.handleSignals === true ? ['SIGTERM', 'SIGINT'] : [],
    beforeShutdown: drain,
    onSignal: release,
    // Connections still open after draining (idle keep-alives) are closed within this.
    timeout: 5_000,
    useExit0: true,
    logger: (message, error) => logger.error({ err: error }, message),
  });
  if (options.handleSignals !== true) {
    // terminus always traps SIGTERM; an embedded or test app must leave signals to its host.
    for (const listener of process.listeners('SIGTERM')) {
      if (!signalListenersBefore.has(listener)) process.removeListener('SIGTERM', listener);
    }
  }

  return {
    app,
    httpServer,
    metricsServer,
    gateway,
    logger,
    metrics,
    lifecycle,
    drain,
    async close() {
      await drain();
      await release();
    },
  };
}
