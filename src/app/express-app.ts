/**
 * The Express application: response headers and CORS first, then request id, request log and
 * authentication for every route, then REST, docs and GraphQL, then the catch-all error answers.
 * The completion routes run the same functions through the hot-route dispatch (http/hot-routes.ts).
 */
import cors from 'cors';
import express, { type Express, type RequestHandler, type ErrorRequestHandler } from 'express';
import type { GatewayConfig } from '../config/types.js';
import type { RequestValidator } from '../contract/request-validator.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { authenticateRequests } from '../http/principal.js';
import { createAnthropicErrorHandler } from '../rest/messages-handler.js';
import type { StoredResponses } from '../cache/stored-responses.js';
import type { ResponseBody } from '../contract/responses-response.js';
import { assignRequestId } from '../http/request-id.js';
import { logRequests } from '../http/request-log.js';
import { securityHeaders } from '../http/security-headers.js';
import { trackInFlight } from '../http/in-flight.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import type { OpenStreams } from '../lifecycle/open-streams.js';
import type { Logger } from '../observability/logger.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { createErrorHandler, notFoundHandler } from '../rest/error-responses.js';
import { createRestRouter } from '../rest/routes.js';
import { HotRoutes } from '../http/hot-routes.js';
import type { HttpMiddleware } from '../http/http-exchange.js';

const EXPOSED_HEADERS = ['X-Request-Id', 'X-Cache', 'X-Gateway-Provider', 'X-Gateway-Model', 'X-Gateway-Attempts', 'X-Gateway-Deployment', 'X-Gateway-Overhead-Ms', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'];

/** The POST routes that carry the traffic, served without Express's router walk. */
const HOT_PATHS = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/messages', '/v1/responses'];

export interface ExpressApp {
  app: Express;
  /** Every request's first middleware, in order: the hot routes run them too. */
  front: HttpMiddleware[];
  hotRoutes: HotRoutes;
}

export function createExpressApp(config: GatewayConfig, lifecycle: Lifecycle): ExpressApp {
  const app = express();
  app.disable('x-powered-by');
  // Completions are never the same twice and no client revalidates them: hashing every body for an ETag is wasted work.
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  // An API serves no HTML of its own except GraphQL's landing page in development, which loads its scripts from a CDN.
  const front: HttpMiddleware[] = [securityHeaders({ contentSecurityPolicy: false, crossOriginEmbedderPolicy: false }), trackInFlight(lifecycle)];
  if (config.security.corsOrigins.length > 0) {
    // Request headers are reflected rather than listed: the OpenAI SDKs send their own (`x-stainless-*`,
    // `openai-beta`) from browsers, and which origins may call at all is what CORS_ORIGINS decides.
    front.push(cors({ origin: [...config.security.corsOrigins], exposedHeaders: EXPOSED_HEADERS, maxAge: 600 }));
  }
  for (const middleware of front) app.use(middleware);
  return { app, front, hotRoutes: new HotRoutes(app) };
}

export interface ApiRoutes {
  gateway: GatewayService;
  validator: RequestValidator;
  logger: Logger;
  metrics: GatewayMetrics;
  streams: OpenStreams;
  responses: StoredResponses<ResponseBody>;
  docs: RequestHandler;
  graphql: { path: string; middleware: RequestHandler[]; errorHandler: ErrorRequestHandler };
}

export function mountApiRoutes({ app, front, hotRoutes }: ExpressApp, config: GatewayConfig, routes: ApiRoutes): void {
  const { gateway, validator, logger, streams } = routes;
  const perRequest: HttpMiddleware[] = [assignRequestId, logRequests(logger, routes.metrics), authenticateRequests(gateway)];
  for (const middleware of perRequest) app.use(middleware);
  const rest = createRestRouter({ gateway, validator, logger, streams, responses: routes.responses, metrics: routes.metrics, maxBodyBytes: config.maxBodyBytes, sseHeartbeatMs: config.sseHeartbeatMs });
  app.use(rest.router);
  // After the API routes, so chat requests do not walk past them; before GraphQL, which owns /graphql/*.
  app.use(routes.docs);
  app.use(routes.graphql.path, ...routes.graphql.middleware, routes.graphql.errorHandler);
  app.use(notFoundHandler);
  // Anthropic's SDKs read errors in Anthropic's shape, including the ones auth raises before routing.
  const anthropicErrors = createAnthropicErrorHandler(logger);
  const errors = createErrorHandler(logger);
  app.use('/v1/messages', anthropicErrors);
  app.use(errors);

  for (const path of HOT_PATHS) {
    const handlers = rest.postHandlers.get(path);
    if (handlers === undefined) throw new Error(`hot route ${path} is not a REST route`);
    hotRoutes.add('POST', path, { middleware: [...front, ...perRequest], handlers, errorHandlers: path === '/v1/messages' ? [anthropicErrors, errors] : [errors] });
  }
}
