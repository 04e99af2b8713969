/**
 * EmbeddingsInput -> the gateway command, through the contract layer REST uses: rendered as the
 * wire body and checked by the same OpenAPI rules, with errors naming GraphQL's own fields.
 */
import { fromWireEmbeddingsRequest, type CreateEmbeddingsRequestBody } from '../contract/embeddings-wire.js';
import type { ParamNamer, RequestValidator } from '../contract/request-validator.js';
import { GatewayError } from '../errors.js';
import type { EmbeddingsInput } from '../generated/graphql.js';
import type { EmbeddingsCommand } from '../vocabulary/embeddings.js';

const GATEWAY_FIELDS = ['model', 'input', 'encoding_format', 'dimensions', 'user'];

function inputNamer(optionKeys: ReadonlySet<string>): ParamNamer {
  return (param) => {
    if (param === '') return 'input';
    const first = param.split(/[.[]/, 1)[0] ?? '';
    if (optionKeys.has(first)) return `input.providerOptions.${param}`;
    return `input.${param.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase())}`;
  };
}

export function toEmbeddingsCommand(input: Omit<EmbeddingsInput, 'cache'>, validator: RequestValidator): EmbeddingsCommand {
  const options = (input.providerOptions ?? {}) as Record<string, unknown>;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new GatewayError('invalid_request', "Invalid type for 'input.providerOptions': expected object.", { param: 'input.providerOptions' });
  }
  for (const key of Object.keys(options)) {
    if (GATEWAY_FIELDS.includes(key)) throw new GatewayError('invalid_request', `'input.providerOptions.${key}' is set by an input field; use it instead.`, { param: `input.providerOptions.${key}` });
  }
  const body = JSON.parse(
    JSON.stringify({ ...options, model: input.model ?? undefined, input: input.input, encoding_format: input.encodingFormat ?? undefined, dimensions: input.dimensions ?? undefined, user: input.user ?? undefined }),
  ) as unknown;
  const nameParam = inputNamer(new Set(Object.keys(options)));
  return fromWireEmbeddingsRequest(validator.validateBody<CreateEmbeddingsRequestBody>('createEmbeddings', body, nameParam), nameParam);
}
