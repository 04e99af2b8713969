/**
 * The one place REST turns errors into responses: catalog errors keep their status, code and
 * headers (`Retry-After`); body-parser failures map into the catalog; anything else is masked.
 */
import type { ErrorRequestHandler, Request, Response } from 'express';
import { GatewayError, toGatewayError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { requestIdOf } from '../http/request-id.js';
import { recordErrorCode } from '../observability/request-log.js';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
}

function fromBodyParser(error: BodyParserError): GatewayError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new GatewayError('invalid_json', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new GatewayError('payload_too_large', `The request body is larger than ${error.limit ?? 'the limit of'} bytes.`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new GatewayError('unsupported_media_type', 'The request body must be UTF-8 JSON.');
    case 'request.size.invalid':
    case 'request.aborted':
      return new GatewayError('invalid_request', 'The request body was cut short.');
    default:
      return undefined;
  }
}

export function sendError(res: Response, error: GatewayError): void {
  recordErrorCode(res, error.code);
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(error.status).set(error.headers).json(error.toBody());
}

export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req: Request, res: Response, _next) => {
    const gatewayError = fromBodyParser(error as BodyParserError) ?? toGatewayError(error);
    if (gatewayError.code === 'internal_error') {
      logger.error({ err: error, requestId: requestIdOf(res) }, 'unhandled error');
    }
    sendError(res, gatewayError);
  };
}

export function notFoundHandler(req: Request, res: Response): void {
  sendError(res, new GatewayError('not_found', `No route for ${req.method} ${req.path}.`));
}
