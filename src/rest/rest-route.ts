/** One REST operation: its path as the OpenAPI spec writes it, who may call it, and its handler. */
import type { Request, Response } from 'express';
import type { Access } from '../auth/access.js';
import type { HttpRequest, HttpResponse } from '../http/http-exchange.js';

export type Handler = (req: Request, res: Response) => Promise<void> | void;

/** A handler written against Node's own request and response, as the hot-route dispatch serves it. */
export type PlainHandler = (req: HttpRequest, res: HttpResponse) => Promise<void> | void;

interface RouteBase {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** As the OpenAPI spec writes it: `/v1/providers/{id}/health`. */
  path: string;
  /** When the spec's path cannot say it: a parameter that spans slashes (`/v1/models/*model`). */
  expressPath?: string;
  operationId: string;
  /** Who may call it; checked before anything else, the validator included. */
  access: Access;
}

/**
 * Served by Express's router (`handler` may use Express's additions), or, for the POST routes that
 * carry the traffic, `plain`: served by the hot-route dispatch on Node's own objects as well.
 */
export type RestRoute = RouteBase & ({ plain?: false; handler: Handler } | { plain: true; handler: PlainHandler });

