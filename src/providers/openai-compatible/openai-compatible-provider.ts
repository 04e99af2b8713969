/**
 * A provider over any server that speaks OpenAI's chat completions API (OpenRouter, DeepSeek,
 * vLLM, Ollama, a company proxy). Provider folders for those families are thin settings over this.
 */
import type { Readable } from 'node:stream';
import type { ProviderConfig, UpstreamTimeouts } from '../../config.js';
import { GatewayError, isGatewayError } from '../../errors.js';
import type { HttpAgents } from '../http/http-agents.js';
import { readBody } from '../http/read-body.js';
import { sendUpstreamRequest } from '../http/send-upstream-request.js';
import { UpstreamDeadline } from '../http/upstream-deadline.js';
import {
  PROVIDER_INTERFACE_VERSION,
  type CallOptions,
  type ChatRequest,
  type ChatResponse,
  type LlmProvider,
  type ProviderConfiguration,
  type ProviderHealthCheck,
  type ProviderModel,
  type StreamPart,
} from '../types.js';
import { eventsToStreamParts } from './events-to-stream-parts.js';
import { mapHttpError, mapTransportError, type UpstreamErrorSource } from './map-upstream-error.js';
import { parseChatResponse } from './parse-chat-response.js';
import { parseEventStream } from './parse-event-stream.js';
import { toWireRequest } from './to-wire-request.js';
import type { WireModel } from './wire-types.js';

export interface OpenAICompatibleSettings {
  id: string;
  kind: string;
  /** Ends before `/chat/completions`, e.g. `https://openrouter.ai/api/v1`. */
  baseUrl: string;
  apiKey: string | undefined;
  /** The environment variable that holds the key; named in the error when it is missing. */
  apiKeyVariable: string;
  /** Local servers (Ollama, vLLM) often need no key. */
  requiresApiKey?: boolean;
  headers?: Readonly<Record<string, string>>;
  /** Body fields this provider always sends unless the request sets them. */
  bodyDefaults?: Readonly<Record<string, unknown>>;
  timeouts: UpstreamTimeouts;
  agents: HttpAgents;
  /** Caps what is buffered from a non-streaming body or an error body. */
  maxResponseBytes?: number;
  now?: () => number;
}

/** The settings every kind shares, read from the provider's configuration. */
export function settingsFromConfig(config: ProviderConfig, agents: HttpAgents, defaultKeyVariable: string): OpenAICompatibleSettings {
  return {
    id: config.id,
    kind: config.kind,
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    apiKeyVariable: config.apiKeyVariable ?? defaultKeyVariable,
    headers: config.headers,
    timeouts: config.timeouts,
    agents,
  };
}

const USER_AGENT = 'llm-gateway/0.1';
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export function createOpenAICompatibleProvider(settings: OpenAICompatibleSettings): LlmProvider {
  const now = settings.now ?? Date.now;
  const maxResponseBytes = settings.maxResponseBytes ?? 32 * 1024 * 1024;
  const source: UpstreamErrorSource = { providerId: settings.id, secrets: [settings.apiKey] };
  const configuration: ProviderConfiguration =
    settings.requiresApiKey !== false && settings.apiKey === undefined
      ? { configured: false, missingVariable: settings.apiKeyVariable }
      : { configured: true };

  const baseUrl = settings.baseUrl.endsWith('/') ? settings.baseUrl : `${settings.baseUrl}/`;
  const fixedHeaders: Readonly<Record<string, string>> = {
    'User-Agent': USER_AGENT,
    ...settings.headers,
    ...(settings.apiKey === undefined ? {} : { Authorization: `Bearer ${settings.apiKey}` }),
  };

  // A provider calls two or three paths; parsing their URLs once keeps URL parsing off the hot path.
  const urls = new Map<string, URL>();
  function urlFor(path: string): URL {
    let url = urls.get(path);
    if (url === undefined) {
      url = new URL(path, baseUrl);
      urls.set(path, url);
    }
    return url;
  }

  function assertConfigured(): void {
    if (!configuration.configured) {
      throw new GatewayError(
        'provider_not_configured',
        `Provider ${settings.id} is not configured: set ${configuration.missingVariable}.`,
        { provider: settings.id },
      );
    }
  }

  function failure(error: unknown, deadline: UpstreamDeadline, midStream: boolean): GatewayError {
    if (isGatewayError(error)) return error;
    return deadline.timeoutError ?? mapTransportError(source, error, midStream);
  }

  /** Sends the request and returns the body stream of a 2xx answer; throws a catalog error otherwise. */
  async function open(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    options: CallOptions,
    deadline: UpstreamDeadline,
  ): Promise<Readable> {
    const response = await sendUpstreamRequest(settings.agents, {
      method,
      url: urlFor(path),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: deadline.signal,
      headers: {
        ...fixedHeaders,
        Accept: path === 'chat/completions' && (body as { stream?: boolean }).stream ? 'text/event-stream' : 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...(options.requestId === undefined ? {} : { 'X-Request-Id': options.requestId }),
      },
    });
    deadline.markResponseStarted();
    const stream = response.body;
    if (response.status < 200 || response.status >= 300) {
      const text = await readText(stream, MAX_ERROR_BODY_BYTES, deadline, true);
      const retryAfter = response.headers['retry-after'];
      throw mapHttpError(source, response.status, text, typeof retryAfter === 'string' ? retryAfter : undefined);
    }
    return stream;
  }

  async function readText(stream: Readable, limit: number, deadline: UpstreamDeadline, truncate = false): Promise<string> {
    const { text, truncated } = await readBody(stream, limit, () => deadline.markProgress());
    if (truncated && !truncate) {
      throw new GatewayError('upstream_unavailable', `Provider ${settings.id} sent a response larger than ${limit} bytes.`, {
        provider: settings.id,
      });
    }
    return text;
  }

  async function getJson(path: string, options: CallOptions): Promise<unknown> {
    const deadline = new UpstreamDeadline(options.signal, settings.timeouts, settings.id);
    try {
      const stream = await open('GET', path, undefined, options, deadline);
      const text = await readText(stream, maxResponseBytes, deadline);
      return JSON.parse(text) as unknown;
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new GatewayError('upstream_unavailable', `Provider ${settings.id} sent a ${path} response that is not JSON.`, {
          provider: settings.id,
        });
      }
      throw failure(error, deadline, false);
    } finally {
      deadline.dispose();
    }
  }

  async function listModels(options: CallOptions): Promise<ProviderModel[]> {
    assertConfigured();
    const body = (await getJson('models', options)) as { data?: WireModel[] } | null;
    const models = Array.isArray(body?.data) ? body.data : [];
    return models
      .filter((model): model is WireModel & { id: string } => typeof model?.id === 'string' && model.id !== '')
      .map((model) => ({
        id: model.id,
        ownedBy: model.owned_by,
        created: model.created,
        contextLength: typeof model.context_length === 'number' ? model.context_length : null,
      }));
  }

  return {
    interfaceVersion: PROVIDER_INTERFACE_VERSION,
    id: settings.id,
    kind: settings.kind,
    configuration,

    async complete(request: ChatRequest, options: CallOptions): Promise<ChatResponse> {
      assertConfigured();
      const deadline = new UpstreamDeadline(options.signal, settings.timeouts, settings.id);
      try {
        const body = toWireRequest(request, false, settings.bodyDefaults);
        const stream = await open('POST', 'chat/completions', body, options, deadline);
        const text = await readText(stream, maxResponseBytes, deadline);
        return parseChatResponse(source, text, now);
      } catch (error) {
        throw failure(error, deadline, false);
      } finally {
        deadline.dispose();
      }
    },

    async *stream(request: ChatRequest, options: CallOptions): AsyncGenerator<StreamPart> {
      assertConfigured();
      const deadline = new UpstreamDeadline(options.signal, settings.timeouts, settings.id);
      let body: Readable | undefined;
      try {
        try {
          body = await open('POST', 'chat/completions', toWireRequest(request, true, settings.bodyDefaults), options, deadline);
        } catch (error) {
          throw failure(error, deadline, false);
        }
        try {
          const events = parseEventStream(body);
          for await (const part of eventsToStreamParts(events, source, () => deadline.markProgress())) {
            yield part;
          }
        } catch (error) {
          yield { type: 'error', error: failure(error, deadline, true) };
        }
      } finally {
        deadline.dispose();
        // Reached early when the consumer stops iterating: close the upstream request too.
        if (body !== undefined && !body.readableEnded) body.destroy();
      }
    },

    listModels,

    async checkHealth(options: CallOptions): Promise<ProviderHealthCheck> {
      const started = now();
      try {
        await listModels(options);
        return { ok: true, latencyMs: now() - started };
      } catch (error) {
        return { ok: false, latencyMs: now() - started, errorCode: isGatewayError(error) ? error.code : 'internal_error' };
      }
    },
  };
}
