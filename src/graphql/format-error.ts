/**
 * GraphQL errors in the catalog's terms: gateway errors keep their code and details, GraphQL's own
 * request errors become `invalid_request`, and anything unexpected is masked as `internal_error`.
 */
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { GatewayError, errorCatalog } from '../errors.js';

const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

export function gatewayErrorExtensions(error: GatewayError): Record<string, unknown> {
  const extensions: Record<string, unknown> = {
    code: error.code,
    type: error.type,
    status: error.status,
    retryable: error.retryable,
    param: error.param,
  };
  if (error.provider !== undefined) extensions.provider = error.provider;
  if (error.retryAfterSeconds !== undefined) extensions.retryAfterSeconds = error.retryAfterSeconds;
  return extensions;
}

export function toGraphQLError(error: GatewayError): GraphQLError {
  return new GraphQLError(error.message, { originalError: error, extensions: gatewayErrorExtensions(error) });
}

export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof GatewayError) {
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: gatewayErrorExtensions(original) };
  }
  const code = formatted.extensions?.code;
  const isRequestError = (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) || (original instanceof GraphQLError && original.originalError === undefined);
  if (isRequestError) {
    const spec = errorCatalog.invalid_request;
    return {
      message: formatted.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'invalid_request', type: spec.type, status: spec.status, retryable: false, param: null },
    };
  }
  const spec = errorCatalog.internal_error;
  return {
    message: 'Internal server error.',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'internal_error', type: spec.type, status: spec.status, retryable: false, param: null },
  };
}
