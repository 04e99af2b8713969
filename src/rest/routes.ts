/** Operations of the spec served before Express, by terminus (health probes). */
export const TERMINUS_OPERATIONS = ['getLiveness', 'getReadiness'];

/**
 * The REST routes, one row per OpenAPI operation. Every row goes through the same wrapper, which
 * validates the body against the spec before the handler runs: no route can skip the validator.
 */
import express, { type Router } from 'express';
import typeis from 'type-is';
import type { HttpMiddleware, HttpRequest, HttpResponse } from '../http/http-exchange.js';
import { requireAccess } from '../auth/access.js';
import { GatewayError } from '../errors.js';
import { parseJsonBody } from '../http/json-body.js';
import { principalOf } from '../http/principal.js';
import { adminRoutes } from './admin-routes.js';
import type { Handler, RestRoute } from './rest-route.js';
import type { OpenStreams } from '../lifecycle/open-streams.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { GatewayService } from '../gateway/gateway-service.js';
import { requestIdOf } from '../http/request-id.js';
import type { Logger } from '../observability/logger.js';
import { createChatCompletionsHandler } from './chat-completions-handler.js';
import { createEmbeddingsHandler } from './embeddings-handler.js';
import { createCompletionsHandler } from './completions-handler.js';
import { countMessageTokens, createMessagesHandler } from './messages-handler.js';
import { createDeleteResponseHandler, createResponsesHandler, createRetrieveResponseHandler } from './responses-handler.js';
import type { StoredResponses } from '../cache/stored-responses.js';
import type { ResponseBody } from '../contract/responses-response.js';
import type { RequestValidator } from '../contract/request-validator.js';
import { toWireModel, toWireModelList, toWireProvider, toWireProviderHealth, toWireProviderList } from '../contract/to-wire-response.js';
import { toWireUsageReport } from '../contract/to-wire-usage.js';
import { toUsageFilter } from '../gateway/usage-filter.js';
import { httpRequestFacts } from '../http/request-facts.js';

export interface RestRouterDeps {
  gateway: GatewayService;
  metrics: GatewayMetrics;
  validator: RequestValidator;
  logger: Logger;
  maxBodyBytes: number;
  sseHeartbeatMs: number;
  streams: OpenStreams;
  responses: StoredResponses<ResponseBody>;
}

export function restRoutes(deps: RestRouterDeps): RestRoute[] {
  return [
    { method: 'post', path: '/v1/chat/completions', plain: true, operationId: 'createChatCompletion', access: 'client', handler: createChatCompletionsHandler(deps) },
    { method: 'post', path: '/v1/embeddings', plain: true, operationId: 'createEmbeddings', access: 'client', handler: createEmbeddingsHandler(deps.gateway) },
    { method: 'post', path: '/v1/completions', plain: true, operationId: 'createCompletion', access: 'client', handler: createCompletionsHandler(deps) },
    { method: 'post', path: '/v1/responses', plain: true, operationId: 'createResponse', access: 'client', handler: createResponsesHandler(deps) },
    { method: 'get', path: '/v1/responses/{responseId}', operationId: 'retrieveResponse', access: 'client', handler: createRetrieveResponseHandler(deps.responses) },
    { method: 'delete', path: '/v1/responses/{responseId}', operationId: 'deleteResponse', access: 'client', handler: createDeleteResponseHandler(deps.responses) },
    { method: 'post', path: '/v1/messages', plain: true, operationId: 'createMessage', access: 'client', handler: createMessagesHandler(deps) },
    { method: 'post', path: '/v1/messages/count_tokens', operationId: 'countMessageTokens', access: 'client', handler: countMessageTokens },
    {
      method: 'get',
      path: '/v1/models',
      operationId: 'listModels',
      access: 'client',
      handler: async (_req, res) => {
        res.json(toWireModelList(await deps.gateway.listModels({ requestId: requestIdOf(res) })));
      },
    },
    {
      method: 'get',
      path: '/v1/models/{model}',
      // Model ids contain slashes (openrouter/openai/gpt-4o), and the SDKs send them unescaped.
      expressPath: '/v1/models/*model',
      operationId: 'retrieveModel',
      access: 'client',
      handler: async (req, res) => {
        const segments = (req.params as Record<string, string | string[]>).model;
        const model = Array.isArray(segments) ? segments.join('/') : String(segments);
        res.json(toWireModel(await deps.gateway.getModel(model, { requestId: requestIdOf(res) })));
      },
    },
    { method: 'get', path: '/v1/providers', operationId: 'listProviders', access: 'client', handler: (_req, res) => void res.json(toWireProviderList(deps.gateway.listProviders(principalOf(res)))) },
    {
      method: 'get',
      path: '/v1/providers/{id}/health',
      operationId: 'getProviderHealth',
      access: 'client',
      handler: async (req, res) => {
        res.json(toWireProviderHealth(await deps.gateway.providerHealth(String(req.params.id))));
      },
    },
    {
      method: 'post',
      path: '/v1/providers/{id}/disable',
      operationId: 'disableProvider',
      access: 'admin',
      handler: (req, res) => void res.json(toWireProvider(deps.gateway.setProviderEnabled(String(req.params.id), false))),
    },
    {
      method: 'post',
      path: '/v1/providers/{id}/enable',
      operationId: 'enableProvider',
      access: 'admin',
      handler: (req, res) => void res.json(toWireProvider(deps.gateway.setProviderEnabled(String(req.params.id), true))),
    },
    {
      method: 'get',
      path: '/v1/usage',
      operationId: 'getUsage',
      access: 'client',
      handler: async (req, res) => {
        const query = (name: string) => (typeof req.query[name] === 'string' ? (req.query[name] as string) : undefined);
        const facts = httpRequestFacts(req, res);
        const filter = toUsageFilter({ from: query('from'), to: query('to'), provider: query('provider'), model: query('model'), client: query('client') }, facts.principal, facts.clientId);
        res.json(toWireUsageReport(filter, await deps.gateway.usage(filter)));
      },
    },
    ...adminRoutes(deps.gateway),
  ];
}

export interface RestRouter {
  router: Router;
  /** Each POST route's handlers as the router runs them, by spec path, for the hot-route dispatch. */
  postHandlers: ReadonlyMap<string, readonly HttpMiddleware[]>;
}

/**
 * Express's `req.is('application/json')`. The header exactly as the SDKs send it is answered
 * without type-is's parse of the media type, which was, run once every half a second, the largest
 * step of a stream's own code before its upstream call, about 20 µs (bench/README.md, "Sixteenth
 * pass"); any other spelling (parameters, capitals, another type, no body) goes to type-is as before.
 */
function isJsonBody(req: HttpRequest): boolean {
  if (req.headers['content-type'] === 'application/json' && typeis.hasBody(req)) return true;
  return Boolean(typeis(req, ['application/json']));
}

export function createRestRouter(deps: RestRouterDeps): RestRouter {
  const router = express.Router();
  const postHandlers = new Map<string, HttpMiddleware[]>();
  const parseJson = parseJsonBody(deps.maxBodyBytes);
  const routes = restRoutes(deps);
  for (const route of routes) {
    const takesBody = deps.validator.hasBody(route.operationId);
    // Not an async function of its own: the handler's promise is handed on, one promise layer fewer per request.
    const validated = <Req extends HttpRequest, Res extends HttpResponse>(handler: (req: Req, res: Res) => Promise<void> | void) =>
      (req: Req, res: Res): Promise<void> | void => {
        if (takesBody) {
          // Express's `req.is`, which hot routes do not have: no body or another type is a 415.
          if (!isJsonBody(req)) {
            throw new GatewayError('unsupported_media_type', 'The request body must be sent as Content-Type: application/json.');
          }
          deps.validator.validateBody(route.operationId, req.body);
        }
        return handler(req, res);
      };
    const expressPath = route.expressPath ?? route.path.replace(/\{(\w+)\}/g, ':$1');
    // Access first: a caller without a valid key is refused before its body is read.
    const checkAccess: HttpMiddleware = (_req, res, next) => {
      requireAccess(principalOf(res), route.access);
      next();
    };
    const before: HttpMiddleware[] = takesBody ? [checkAccess, parseJson] : [checkAccess];
    if (route.plain === true) {
      const handlers = [...before, validated(route.handler)];
      router[route.method](expressPath, ...handlers);
      if (route.method === 'post' && route.expressPath === undefined) postHandlers.set(route.path, handlers);
    } else {
      router[route.method](expressPath, ...before, validated(route.handler));
    }
  }
  for (const [path, allowed] of methodsByPath(routes)) router.all(path, answerOtherMethods(allowed));
  return { router, postHandlers };
}

/** Each Express path with the methods it takes (HEAD wherever GET is, as Express serves it). */
function methodsByPath(routes: readonly RestRoute[]): Map<string, string[]> {
  const byPath = new Map<string, string[]>();
  for (const route of routes) {
    const path = route.expressPath ?? route.path.replace(/\{(\w+)\}/g, ':$1');
    const methods = byPath.get(path) ?? [];
    methods.push(route.method.toUpperCase(), ...(route.method === 'get' ? ['HEAD'] : []));
    byPath.set(path, methods);
  }
  return byPath;
}

/** A known path asked with another method: 405 with `Allow` (OPTIONS: 204 with `Allow`), never a 404. */
function answerOtherMethods(allowed: readonly string[]): Handler {
  const allow = [...allowed, 'OPTIONS'];
  return (req, res) => {
    if (req.method === 'OPTIONS') {
      res.set('Allow', allow.join(', ')).status(204).end();
      return;
    }
    throw new GatewayError('method_not_allowed', `${req.method} is not allowed on ${req.path}; it takes ${allowed.join(', ')}.`, { allow });
  };
}
