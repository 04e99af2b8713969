/** Embeddings between OpenAI's wire shape and the gateway's command and result. */
import type { EmbeddingsCommand, EmbeddingsResult } from '../vocabulary/embeddings.js';
import type { components } from '../generated/openapi.js';
import type { ParamNamer } from './request-validator.js';
import { refuseSteeringFields } from './steering-fields.js';

type Schemas = components['schemas'];
export type CreateEmbeddingsRequestBody = Schemas['CreateEmbeddingsRequest'];
export type EmbeddingListBody = Schemas['EmbeddingList'];

const INTERPRETED = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);
const WIRE_NAMES: ParamNamer = (path) => path;

export function fromWireEmbeddingsRequest(body: CreateEmbeddingsRequestBody, nameParam: ParamNamer = WIRE_NAMES): EmbeddingsCommand {
  const fields = body as Record<string, unknown>;
  refuseSteeringFields(fields, nameParam);
  const providerOptions = Object.fromEntries(Object.entries(fields).filter(([key, value]) => !INTERPRETED.has(key) && value !== undefined && value !== null));
  return {
    ...(body.model === undefined ? {} : { model: body.model }),
    input: body.input,
    ...(body.encoding_format === undefined ? {} : { encodingFormat: body.encoding_format }),
    ...(body.dimensions === undefined ? {} : { dimensions: body.dimensions }),
    ...(body.user === undefined ? {} : { user: body.user }),
    providerOptions,
  };
}

export function toWireEmbeddings(result: EmbeddingsResult): EmbeddingListBody {
  const body: EmbeddingListBody = {
    ...result.extra,
    object: 'list',
    data: result.data as EmbeddingListBody['data'],
    model: result.model,
    x_gateway: { provider: result.provider, attempts: result.attempts, cache: result.cacheStatus },
  };
  if (result.usage !== null) body.usage = { ...result.usage.wire, prompt_tokens: result.usage.promptTokens, total_tokens: result.usage.totalTokens };
  return body;
}
