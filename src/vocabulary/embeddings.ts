/** Embeddings in the gateway's own terms: what a client asks for and what served it. */
import type { CacheStatus } from './cache-directives.js';
import type { PassThrough, TokenUsage } from './chat-request.js';

/** A string, several, or token arrays, as OpenAI's embeddings API takes them. */
export type EmbeddingInput = string | readonly string[] | readonly number[] | readonly (readonly number[])[];

export interface EmbeddingsCommand {
  /** Not resolved yet; may be left to the default. */
  model?: string;
  input: EmbeddingInput;
  encodingFormat?: 'float' | 'base64';
  dimensions?: number;
  user?: string;
  /** Fields the gateway does not interpret, sent as they came. */
  providerOptions?: PassThrough;
}

/** What the provider returned: the vectors as it sent them, usage, and its own other fields. */
export interface EmbeddingsResponse {
  model: string;
  /** Each item as the provider sent it (`{ object, index, embedding }`). */
  data: readonly PassThrough[];
  usage: TokenUsage | null;
  extra?: PassThrough;
}

export interface EmbeddingsResult extends EmbeddingsResponse {
  id: string;
  provider: string;
  deployment?: string;
  attempts: number;
  cacheStatus: CacheStatus;
}
