/** One REST operation: its path as the OpenAPI spec writes it, who may call it, and its handler. */
import type { Request, Response } from 'express';
import type { Access } from '../auth/access.js';

export type Handler = (req: Request, res: Response) => Promise<void> | void;

export interface RestRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** As the OpenAPI spec writes it: `/v1/providers/{id}/health`. */
  path: string;
  /** When the spec's path cannot say it: a parameter that spans slashes (`/v1/models/*model`). */
  expressPath?: string;
  operationId: string;
  /** Who may call it; checked before anything else, the validator included. */
  access: Access;
  handler: Handler;
}

