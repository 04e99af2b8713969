/** POST /embeddings on an OpenAI-compatible server: the request as OpenAI shapes it, the answer kept as sent. */
import { GatewayError } from '../../errors.js';
import type { CallOptions, EmbeddingsRequest, EmbeddingsResponse } from '../types.js';
import { mapUsage } from './map-usage.js';
import type { UpstreamTransport } from './upstream-transport.js';

const OWN_FIELDS = new Set(['object', 'data', 'model', 'usage']);

export async function embed(transport: UpstreamTransport, request: EmbeddingsRequest, options: CallOptions): Promise<EmbeddingsResponse> {
  transport.assertConfigured();
  const deadline = transport.deadline(options);
  try {
    const body = {
      ...request.providerOptions,
      model: request.model,
      input: request.input,
      encoding_format: request.encodingFormat,
      dimensions: request.dimensions,
      user: request.user,
    };
    const stream = await transport.open('POST', 'embeddings', body, options, deadline);
    const text = await transport.readText(stream, undefined, deadline);
    return parse(transport.source.providerId, text);
  } catch (error) {
    throw transport.failure(error, deadline, false);
  } finally {
    deadline.dispose();
  }
}

function parse(providerId: string, text: string): EmbeddingsResponse {
  let body: { data?: unknown; model?: unknown; usage?: unknown } & Record<string, unknown>;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new GatewayError('upstream_unavailable', `Provider ${providerId} sent an embeddings response that is not JSON.`, { provider: providerId });
  }
  if (!Array.isArray(body.data)) throw new GatewayError('upstream_unavailable', `Provider ${providerId} sent an embeddings response without data.`, { provider: providerId });
  const extra = Object.fromEntries(Object.entries(body).filter(([key]) => !OWN_FIELDS.has(key)));
  return {
    model: typeof body.model === 'string' ? body.model : '',
    data: body.data as Record<string, unknown>[],
    usage: mapUsage(body.usage as Parameters<typeof mapUsage>[0]),
    ...(Object.keys(extra).length === 0 ? {} : { extra }),
  };
}
