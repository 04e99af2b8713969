/**
 * The one place REST turns errors into responses: catalog errors keep their status, code and
 * headers (`Retry-After`); anything else is masked.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { GatewayError, toGatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { requestIdOf } from '../http/request-id.js';
import { recordErrorCode } from '../http/request-log.js';
import { endsInTurn } from '../sockets/writes-in-turn.js';

export function sendError(res: Response, error: GatewayError): void {
  recordErrorCode(res, error.code);
  if (res.headersSent) {
    // An answer already on its way (its end waits for the turn's) is left to arrive whole.
    if (!endsInTurn(res)) res.end();
    return;
  }
  res.status(error.status).set(error.headers).json(error.toBody());
}

export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req: Request, res: Response, _next) => {
    const gatewayError = toGatewayError(error);
    if (gatewayError.code === 'internal_error') {
      logger.error({ err: error, requestId: requestIdOf(res) }, 'unhandled error');
    }
    sendError(res, gatewayError);
  };
}

export function notFoundHandler(req: Request, res: Response): void {
  sendError(res, new GatewayError('not_found', `No route for ${req.method} ${req.path}.`));
}
