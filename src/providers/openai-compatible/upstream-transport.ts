/**
 * The HTTP plumbing of an OpenAI-compatible provider: fixed headers and URLs computed once, one
 * request per call under an upstream deadline, error answers mapped to catalog errors, bodies read
 * within a size limit. The provider above it only decides what to send and how to parse the answer.
 */
import type { Readable } from 'node:stream';
import { GatewayError, isGatewayError } from '../../errors.js';
import { readBody } from '../http/read-body.js';
import { sendUpstreamRequest } from '../http/send-upstream-request.js';
import { UpstreamDeadline } from '../http/upstream-deadline.js';
import type { CallOptions, ProviderConfiguration } from '../types.js';
import { mapHttpError, mapTransportError, type UpstreamErrorSource } from './map-upstream-error.js';
import type { OpenAICompatibleSettings } from './settings.js';

const USER_AGENT = 'llm-gateway/0.1';
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export class UpstreamTransport {
  readonly configuration: ProviderConfiguration;
  readonly source: UpstreamErrorSource;
  private readonly maxResponseBytes: number;
  private readonly baseUrl: string;
  /** Every request's headers, as name/value pairs. */
  private readonly fixedHeaders: readonly string[];
  // A provider calls two or three paths; parsing their URLs once keeps URL parsing off the hot path.
  private readonly urls = new Map<string, URL>();

  constructor(private readonly settings: OpenAICompatibleSettings) {
    this.maxResponseBytes = settings.maxResponseBytes ?? 32 * 1024 * 1024;
    this.source = { providerId: settings.id, secrets: [settings.apiKey] };
    this.configuration =
      settings.requiresApiKey !== false && settings.apiKey === undefined ? { configured: false, missingVariable: settings.apiKeyVariable } : { configured: true };
    this.baseUrl = settings.baseUrl.endsWith('/') ? settings.baseUrl : `${settings.baseUrl}/`;
    this.fixedHeaders = Object.entries({
      'User-Agent': USER_AGENT,
      ...settings.headers,
      ...(settings.apiKey === undefined ? {} : { Authorization: `Bearer ${settings.apiKey}` }),
    }).flat();
  }

  deadline(options: CallOptions): UpstreamDeadline {
    return new UpstreamDeadline(options.signal, this.settings.timeouts, this.settings.id);
  }

  assertConfigured(): void {
    if (!this.configuration.configured) {
      throw new GatewayError('provider_not_configured', `Provider ${this.settings.id} is not configured: set ${this.configuration.missingVariable}.`, {
        provider: this.settings.id,
      });
    }
  }

  /** Any failure as a catalog error: the deadline's own timeout first, then the transport's. */
  failure(error: unknown, deadline: UpstreamDeadline, midStream: boolean): GatewayError {
    if (isGatewayError(error)) return error;
    return deadline.timeoutError ?? mapTransportError(this.source, error, midStream);
  }

  /** Sends the request and returns the body stream of a 2xx answer; throws a catalog error otherwise. */
  async open(method: 'GET' | 'POST', path: string, body: unknown, options: CallOptions, deadline: UpstreamDeadline): Promise<Readable> {
    const streaming = path === 'chat/completions' && (body as { stream?: boolean }).stream === true;
    const text = body === undefined ? undefined : JSON.stringify(body);
    // One list built in place: the exchange sends it as it is.
    const headers = [...this.fixedHeaders, 'Accept', streaming ? 'text/event-stream' : 'application/json'];
    if (text !== undefined) headers.push('Content-Type', 'application/json');
    if (options.requestId !== undefined) headers.push('X-Request-Id', options.requestId);
    if (options.traceparent !== undefined) headers.push('traceparent', options.traceparent);
    if (text !== undefined) headers.push('Content-Length', String(Buffer.byteLength(text)));
    const response = await sendUpstreamRequest(this.settings.agents, { method, url: this.urlFor(path), body: text, cancellation: deadline, headers });
    deadline.markResponseStarted();
    const stream = response.body;
    if (response.status < 200 || response.status >= 300) {
      const text = await this.readText(stream, MAX_ERROR_BODY_BYTES, deadline, true);
      const retryAfter = stream.headers['retry-after'];
      throw mapHttpError(this.source, response.status, text, typeof retryAfter === 'string' ? retryAfter : undefined);
    }
    return stream;
  }

  /** A whole body as text; larger than `limit` is an upstream failure unless `truncate` allows cutting it. */
  async readText(stream: Readable, limit: number = this.maxResponseBytes, deadline?: UpstreamDeadline, truncate = false): Promise<string> {
    const { text, truncated } = await readBody(stream, limit, () => deadline?.markProgress());
    if (truncated && !truncate) {
      throw new GatewayError('upstream_unavailable', `Provider ${this.settings.id} sent a response larger than ${limit} bytes.`, { provider: this.settings.id });
    }
    return text;
  }

  async getJson(path: string, options: CallOptions): Promise<unknown> {
    const deadline = this.deadline(options);
    try {
      const stream = await this.open('GET', path, undefined, options, deadline);
      const text = await this.readText(stream, this.maxResponseBytes, deadline);
      return JSON.parse(text) as unknown;
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new GatewayError('upstream_unavailable', `Provider ${this.settings.id} sent a ${path} response that is not JSON.`, { provider: this.settings.id });
      }
      throw this.failure(error, deadline, false);
    } finally {
      deadline.dispose();
    }
  }

  private urlFor(path: string): URL {
    let url = this.urls.get(path);
    if (url === undefined) {
      url = new URL(path, this.baseUrl);
      this.urls.set(path, url);
    }
    return url;
  }
}
