/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured with the standard `OTEL_*`
 * variables. One span per chat request (`chat {model}`) and a child span per upstream attempt,
 * with the GenAI semantic conventions' attributes. A client's W3C `traceparent` becomes the
 * request span's parent, and each attempt's context is sent upstream as `traceparent`. Prompt and
 * completion text are attributes only when LOG_CONTENT is on. The OpenTelemetry SDK is loaded
 * only when tracing is on (otel-tracing.ts): a replica that does not trace does not hold it in
 * memory (bench/README.md, "Idle memory").
 */
import type { Attributes } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TraceSpan, TracingBackend, TracingSettings } from './trace-types.js';

export type { TraceSpan, TracingSettings };

/** Forwards the client's own traceparent unchanged when the gateway does not trace. */
class PassThroughSpan implements TraceSpan {
  constructor(private readonly clientTraceparent: string | undefined) {}
  set(): void {}
  traceparent(): string | undefined {
    return this.clientTraceparent;
  }
  child(): TraceSpan {
    return this;
  }
  end(): void {}
}

export class Tracing {
  private constructor(
    readonly settings: TracingSettings,
    private readonly backend: TracingBackend | undefined,
  ) {}

  /** Tracing as configured; `exporter` replaces the OTLP exporter (tests export to memory). */
  static async create(settings: TracingSettings, exporter?: SpanExporter): Promise<Tracing> {
    if (!settings.enabled) return new Tracing(settings, undefined);
    const { createOtelBackend } = await import('./otel-tracing.js');
    return new Tracing(settings, createOtelBackend(settings, exporter));
  }

  /** A server span for one request, child of the client's `traceparent` when it sent one. */
  startRequest(name: string, attributes: Attributes, clientTraceparent: string | undefined): TraceSpan {
    return this.backend?.startRequest(name, attributes, clientTraceparent) ?? new PassThroughSpan(clientTraceparent);
  }

  /** Exports what is buffered now. */
  async flush(): Promise<void> {
    await this.backend?.flush();
  }

  /** Exports what is buffered; called at shutdown. */
  async close(): Promise<void> {
    await this.backend?.close();
  }
}
