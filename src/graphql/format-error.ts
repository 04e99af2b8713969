/**
 * GraphQL errors in the catalog's terms: gateway errors keep their code and details, GraphQL's own
 * request errors become `invalid_request`, and anything unexpected is masked as `internal_error`.
 */
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

/** Resolver errors arrive wrapped once by graphql-js and once more by toGraphQLError. */
function findGatewayError(error: unknown): GatewayError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof GatewayError) return current;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/**
 * Parse, validation and variable-coercion errors have no `path` (nothing executed) and are GraphQL's
 * own, possibly wrapping another copy of graphql-js's error class (graphql-ws and the schema may load
 * different builds of the package, so `instanceof` alone cannot tell).
 */
function isDocumentOrVariableError(formatted: GraphQLFormattedError, error: unknown): boolean {
  if (!(error instanceof GraphQLError) || formatted.path !== undefined) return false;
  const original = error.originalError as { name?: unknown } | null | undefined;
  return original === undefined || original === null || original.name === 'GraphQLError';
}

export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = findGatewayError(error);
  if (original !== undefined) {
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: gatewayErrorExtensions(original) };
  }
  const code = formatted.extensions?.code;
  // Errors built from the catalog by the gateway itself (subscription caps) keep their code.
  if (typeof code === 'string' && code in errorCatalog) {
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: formatted.extensions };
  }
  const isRequestError = (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) || isDocumentOrVariableError(formatted, error);
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
