/**
 * createApp builds the whole service (Express for REST, Apollo and graphql-ws for GraphQL,
 * terminus for health and termination) on one server without listening, so tests can start it on
 * an ephemeral port with their own parts. Only main.ts listens and lets terminus own the signals.
 */
import type http from 'node:http';
import express, { type Express } from 'express';
import type { GatewayConfig } from '../config/types.js';
import { createRequestValidator } from '../contract/request-validator.js';
import { readOpenApiDocument } from '../contract/schema-files.js';
import { docsRouter } from '../docs/docs-routes.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { createConfiguredProviders, type ProviderRegistry } from '../gateway/provider-registry.js';
import { lazyGraphqlServers } from '../graphql/lazy-graphql.js';
import { GRAPHQL_PATH } from '../graphql/graphql-path.js';
import { HealthChecks } from '../health/health-checks.js';
import { createHttpServer } from '../http/create-http-server.js';
import { metricsHandler } from '../http/metrics-endpoint.js';
import { Lifecycle } from '../lifecycle/lifecycle.js';
import { OpenStreams } from '../lifecycle/open-streams.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { GatewayMetrics } from '../observability/metrics.js';
import { SharedHealth } from '../resilience/shared-health.js';
import { Tracing } from '../observability/tracing.js';
import { buildGateway } from './build-gateway.js';
import { createExpressApp, mountApiRoutes } from './express-app.js';
import { closeServer, createShutdown, serveHealthAndSignals } from './shutdown.js';
import { createStores } from './stores.js';

export interface AppDeps {
  logger?: Logger;
  /** Replaces the tracing built from config (tests export to memory). */
  tracing?: Tracing;
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

/** /metrics on the main port, or on a server of its own when METRICS_PORT is set. */
function serveMetrics(app: Express, config: GatewayConfig, metrics: GatewayMetrics): http.Server | undefined {
  const handler = metricsHandler(metrics, config.observability.metricsToken);
  if (config.observability.metricsPort === 0) {
    app.get('/metrics', handler);
    return undefined;
  }
  const metricsApp = express();
  metricsApp.get('/metrics', handler);
  return createHttpServer(metricsApp, undefined);
}

export async function createApp(config: GatewayConfig, deps: AppDeps = {}, options: AppOptions = {}): Promise<GatewayApp> {
  const logger = deps.logger ?? createLogger(config.logLevel, undefined, config.observability.logFormat);
  const metrics = new GatewayMetrics();
  const lifecycle = new Lifecycle();
  const streams = new OpenStreams(lifecycle, metrics);
  const registry = deps.registry ?? createConfiguredProviders(config);
  const stores = createStores(config, logger, metrics);
  await stores.redis?.firstConnection;
  const tracing = deps.tracing ?? (await Tracing.create(config.observability.tracing));
  const gateway: GatewayService = buildGateway(config, { registry, stores, logger, metrics, lifecycle, tracing });
  const sharedHealth = stores.redis === undefined ? undefined : new SharedHealth(stores.redis, gateway.deploymentHealth.cooldowns, logger);
  if (sharedHealth !== undefined) gateway.deploymentHealth.shareThrough(sharedHealth);

  const expressApp = createExpressApp(config, lifecycle);
  const { app } = expressApp;
  const httpServer = createHttpServer(expressApp.hotRoutes.listener, config.security.tls);
  const openApiDocument = readOpenApiDocument();
  const validator = createRequestValidator(openApiDocument);
  const graphql = lazyGraphqlServers({
    httpServer,
    gateway,
    validator,
    logger,
    metrics,
    streams,
    introspection: config.graphqlIntrospection,
    production: config.nodeEnv === 'production',
    maxBodyBytes: config.maxBodyBytes,
    security: config.security,
  });
  const metricsServer = serveMetrics(app, config, metrics);
  mountApiRoutes(expressApp, config, { gateway, validator, logger, metrics, streams, responses: stores.responses, docs: docsRouter(openApiDocument, graphql.schema), graphql: { path: GRAPHQL_PATH, middleware: graphql.middleware, errorHandler: graphql.errorHandler } });

  const health = new HealthChecks(gateway, lifecycle, config.observability.eventLoopLagMaxMs);
  const shutdown = createShutdown(lifecycle, logger, config.observability, async () => {
    await graphql.stop().catch((error: unknown) => logger.debug({ err: error }, 'graphql servers already stopped'));
    await closeServer(httpServer);
    await closeServer(metricsServer);
    health.close();
    sharedHealth?.close();
    gateway.close();
    await stores.close();
    await tracing.close().catch((error: unknown) => logger.warn({ err: error }, 'traces could not be exported at shutdown'));
    if (deps.registry === undefined) registry.close();
  }, () => graphql.goAway());
  serveHealthAndSignals(httpServer, health, shutdown, logger, options.handleSignals === true);

  return {
    app,
    httpServer,
    metricsServer,
    gateway,
    logger,
    metrics,
    lifecycle,
    drain: shutdown.drain,
    async close() {
      await shutdown.drain();
      await shutdown.release();
    },
  };
}
