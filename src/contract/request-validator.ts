/**
 * Validates request bodies against `schema/openapi.yaml`, so the spec is the single source of both
 * the generated types and what the edge accepts. Errors name the field in the client's terms.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { GatewayError } from '../errors.js';
import type { OpenApiDocument } from './schema-files.js';

const DOCUMENT_ID = 'openapi.json';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Names a field in the caller's own terms: `messages[0].tool_call_id` for REST as it is, or
 * `input.messages[0].toolCallId` for GraphQL. Messages are built with the name it returns.
 */
export type ParamNamer = (wirePath: string) => string;

const WIRE_NAMES: ParamNamer = (wirePath) => wirePath;

export interface RequestValidator {
  /** Throws `invalid_request` naming the offending field; returns the body typed as the spec says. */
  validateBody<T>(operationId: string, body: unknown, nameParam?: ParamNamer): T;
  hasBody(operationId: string): boolean;
  /** Compiles every operation's validator now; the test suite calls it so a broken spec fails CI. */
  compileAll(): void;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `/messages/0/role` -> `messages[0].role` */
export function toParamPath(instancePath: string, extra?: string): string {
  const segments = instancePath.split('/').slice(1).map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) segments.push(extra);
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path === '' ? segment : `${path}.${segment}`), '');
}

function describe(errors: ErrorObject[], nameParam: ParamNamer): GatewayError {
  // The deepest error is the most specific; alternatives (anyOf) at the same depth are merged.
  const deepest = errors.reduce((best, error) => (error.instancePath.length > best.instancePath.length ? error : best));
  const atDepth = errors.filter((error) => error.instancePath === deepest.instancePath);
  const chosen = atDepth.find((error) => error.keyword === 'additionalProperties' || error.keyword === 'required') ?? atDepth[0] ?? deepest;
  const path = nameParam(toParamPath(chosen.instancePath));
  const param = path === '' ? null : path;
  const label = param === null ? 'the request body' : `'${param}'`;

  switch (chosen.keyword) {
    case 'required': {
      const missing = nameParam(toParamPath(chosen.instancePath, String(chosen.params.missingProperty)));
      return new GatewayError('invalid_request', `Missing required parameter: '${missing}'.`, { param: missing });
    }
    case 'additionalProperties': {
      const extra = nameParam(toParamPath(chosen.instancePath, String(chosen.params.additionalProperty)));
      return new GatewayError('invalid_request', `Unrecognized request argument supplied: '${extra}'.`, { param: extra });
    }
    case 'type':
    case 'anyOf':
    case 'oneOf': {
      const expected = atDepth.filter((error) => error.keyword === 'type').flatMap((error) => String(error.params.type).split(','));
      if (expected.length > 0) {
        return new GatewayError('invalid_request', `Invalid type for ${label}: expected ${[...new Set(expected)].join(' or ')}.`, { param });
      }
      return new GatewayError('invalid_request', `Invalid value for ${label}: it matches none of the allowed shapes.`, { param });
    }
    case 'enum':
      return new GatewayError(
        'invalid_request',
        `Invalid value for ${label}: must be one of ${(chosen.params.allowedValues as unknown[]).filter((v) => v !== null).join(', ')}.`,
        { param },
      );
    case 'const':
      return new GatewayError('invalid_request', `Invalid value for ${label}: must be '${String(chosen.params.allowedValue)}'.`, { param });
    default:
      return new GatewayError('invalid_request', `Invalid ${label}: ${chosen.message ?? 'not allowed'}.`, { param });
  }
}

export function createRequestValidator(document: OpenApiDocument): RequestValidator {
  // strict: false because an OpenAPI document carries keywords (openapi, paths, example) Ajv does not know.
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  ajv.addSchema(document, DOCUMENT_ID);

  const bodyPointers = new Map<string, string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method] as { operationId?: string; requestBody?: { content?: Record<string, unknown> } } | undefined;
      if (operation?.operationId === undefined) continue;
      bodyPointers.set(
        operation.operationId,
        operation.requestBody?.content?.['application/json'] === undefined
          ? ''
          : `${DOCUMENT_ID}#/paths/${escapePointer(path)}/${method}/requestBody/content/application~1json/schema`,
      );
    }
  }

  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (operationId: string): ValidateFunction | undefined => {
    const pointer = bodyPointers.get(operationId);
    if (pointer === undefined) throw new Error(`Operation ${operationId} is not in the OpenAPI document.`);
    if (pointer === '') return undefined;
    let validate = compiled.get(operationId);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: pointer });
      compiled.set(operationId, validate);
    }
    return validate;
  };
  // Each validator is compiled on its operation's first request: compiling all of them at start-up
  // left about 25 MB of heap committed on an idle replica (bench/README.md, "Idle memory"). The
  // spec ships with the build, and the suite compiles every operation (compileAll), so a broken spec
  // fails CI rather than a request.

  return {
    validateBody<T>(operationId: string, body: unknown, nameParam: ParamNamer = WIRE_NAMES): T {
      const validate = validatorFor(operationId);
      if (validate !== undefined && !validate(body)) throw describe(validate.errors ?? [], nameParam);
      return body as T;
    },

    hasBody: (operationId) => (bodyPointers.get(operationId) ?? '') !== '',

    compileAll: () => {
      for (const operationId of bodyPointers.keys()) validatorFor(operationId);
    },
  };
}
