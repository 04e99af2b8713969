/**
 * A provider over any server that speaks OpenAI's chat completions API (OpenRouter, DeepSeek,
 * vLLM, Ollama, a company proxy). Provider folders for those families are thin settings over this;
 * the HTTP plumbing lives in the upstream transport.
 */
import type { Readable } from 'node:stream';
import { isGatewayError } from '../../errors.js';
import {
  PROVIDER_INTERFACE_VERSION,
  type CallOptions,
  type ChatRequest,
  type ChatResponse,
  type EmbeddingsRequest,
  type LlmProvider,
  type ProviderHealthCheck,
  type ProviderModel,
  type StreamPart,
  type PassThroughEndpoint,
} from '../types.js';
import type { PassThroughProtocol } from '../../vocabulary/pass-through.js';
import { embed } from './embeddings.js';
import { passThroughEndpoint } from './pass-through-endpoints.js';
import { ChatStreamDecoder } from './events-to-stream-parts.js';
import { parseChatResponse } from './parse-chat-response.js';
import { bodyParts } from '../http/body-parts.js';
import type { Flow } from '../../streams/flow.js';
import { LazyFlow } from '../../streams/lazy-flow.js';
import type { OpenAICompatibleSettings } from './settings.js';
import { toWireRequest } from './to-wire-request.js';
import { UpstreamTransport } from './upstream-transport.js';
import type { WireModel } from './wire-types.js';

export { settingsFromConfig, type OpenAICompatibleSettings } from './settings.js';

function toProviderModel(model: WireModel & { id: string }): ProviderModel {
  return { id: model.id, ownedBy: model.owned_by, created: model.created, contextLength: typeof model.context_length === 'number' ? model.context_length : null };
}

export function createOpenAICompatibleProvider(settings: OpenAICompatibleSettings): LlmProvider {
  const now = settings.now ?? Date.now;
  const transport = new UpstreamTransport(settings);

  async function listModels(options: CallOptions): Promise<ProviderModel[]> {
    transport.assertConfigured();
    const body = (await transport.getJson('models', options)) as { data?: WireModel[] } | null;
    const models = Array.isArray(body?.data) ? body.data : [];
    return models
      .filter((model): model is WireModel & { id: string } => typeof model?.id === 'string' && model.id !== '')
      .map(toProviderModel);
  }

  async function complete(request: ChatRequest, options: CallOptions): Promise<ChatResponse> {
    transport.assertConfigured();
    const deadline = transport.deadline(options);
    try {
      const body = toWireRequest(request, false, settings.bodyDefaults);
      const stream = await transport.open('POST', 'chat/completions', body, options, deadline);
      const text = await transport.readText(stream, undefined, deadline);
      return parseChatResponse(transport.source, text, now);
    } catch (error) {
      throw transport.failure(error, deadline, false);
    } finally {
      deadline.dispose();
    }
  }

  function stream(request: ChatRequest, options: CallOptions): Flow<StreamPart> {
    return new LazyFlow(async () => {
      transport.assertConfigured();
      const deadline = transport.deadline(options);
      let body: Readable;
      try {
        body = await transport.open('POST', 'chat/completions', toWireRequest(request, true, settings.bodyDefaults), options, deadline);
      } catch (error) {
        const failure = transport.failure(error, deadline, false);
        deadline.dispose();
        throw failure;
      }
      return bodyParts<StreamPart>(body, new ChatStreamDecoder(transport.source, () => deadline.markProgress()), {
        failurePart: (error) => ({ type: 'error', error: transport.failure(error, deadline, true) }),
        // Bound: it runs once, at the end, and V8 keeps a closure's optimized code only while a closure that ran it is alive.
        release: deadline.dispose.bind(deadline),
      });
    });
  }

  async function checkHealth(options: CallOptions): Promise<ProviderHealthCheck> {
    const started = now();
    try {
      await listModels(options);
      return { ok: true, latencyMs: now() - started };
    } catch (error) {
      return { ok: false, latencyMs: now() - started, errorCode: isGatewayError(error) ? error.code : 'internal_error' };
    }
  }

  return {
    interfaceVersion: PROVIDER_INTERFACE_VERSION,
    id: settings.id,
    kind: settings.kind,
    configuration: transport.configuration,
    complete,
    stream,
    listModels,
    checkHealth,
    ...optionalEndpoints(settings, transport),
  };
}

/** Embeddings, legacy completions and the protocols served as they are, on the servers that have those endpoints. */
function optionalEndpoints(settings: OpenAICompatibleSettings, transport: UpstreamTransport): Pick<LlmProvider, 'embed' | 'passThrough'> {
  const passThrough: Partial<Record<PassThroughProtocol, PassThroughEndpoint>> = {};
  if (settings.textCompletions !== false) passThrough.completions = passThroughEndpoint(transport, 'completions');
  if (settings.nativeResponses === true) passThrough.responses = passThroughEndpoint(transport, 'responses');
  if (settings.anthropicBaseUrl !== undefined) {
    // Anthropic's own API wants the key as x-api-key; compatible servers (DeepSeek) take the bearer token.
    const headers = { ...settings.headers, 'anthropic-version': '2023-06-01', ...(settings.apiKey === undefined ? {} : { 'x-api-key': settings.apiKey }) };
    passThrough['anthropic-messages'] = passThroughEndpoint(new UpstreamTransport({ ...settings, baseUrl: settings.anthropicBaseUrl, headers }), 'anthropic-messages');
  }
  return {
    ...(settings.embeddings === false ? {} : { embed: (request: EmbeddingsRequest, options: CallOptions) => embed(transport, request, options) }),
    passThrough,
  };
}
