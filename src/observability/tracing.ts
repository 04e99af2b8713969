/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured with the standard `OTEL_*`
 * variables. One span per chat request (`chat {model}`) and a child span per upstream attempt,
 * with the GenAI semantic conventions' attributes. A client's W3C `traceparent` becomes the
 * request span's parent, and each attempt's context is sent upstream as `traceparent`. Prompt and
 * completion text are attributes only when LOG_CONTENT is on.
 */
import { context as otelContext, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface TracingSettings {
  readonly enabled: boolean;
  /** The OTLP/HTTP traces endpoint; its headers and timeout come from the OTEL_EXPORTER_OTLP_* variables. */
  readonly url: string | undefined;
  readonly serviceName: string;
  /** Put prompt and completion text on spans (LOG_CONTENT). */
  readonly content: boolean;
}

/** A started span the gateway can annotate, end, and hand its context upstream. */
export interface TraceSpan {
  set(attributes: Attributes): void;
  /** The W3C `traceparent` of this span, for the upstream request; undefined when not tracing. */
  traceparent(): string | undefined;
  child(name: string, attributes: Attributes): TraceSpan;
  end(errorType?: string): void;
}

const propagator = new W3CTraceContextPropagator();

class OtelSpan implements TraceSpan {
  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
  ) {}

  set(attributes: Attributes): void {
    this.span.setAttributes(attributes);
  }

  traceparent(): string | undefined {
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, this.span), carrier, { set: (target, key, value) => void (target[key] = value) });
    return carrier.traceparent;
  }

  child(name: string, attributes: Attributes): TraceSpan {
    const parent = trace.setSpan(otelContext.active(), this.span);
    return new OtelSpan(this.tracer, this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent));
  }

  end(errorType?: string): void {
    if (errorType !== undefined) {
      this.span.setAttribute('error.type', errorType);
      this.span.setStatus({ code: SpanStatusCode.ERROR });
    }
    this.span.end();
  }
}

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
  private readonly provider: BasicTracerProvider | undefined;
  private readonly tracer: Tracer | undefined;

  constructor(
    readonly settings: TracingSettings,
    exporter?: SpanExporter,
  ) {
    if (!settings.enabled) return;
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
      spanProcessors: [new BatchSpanProcessor(exporter ?? new OTLPTraceExporter(settings.url === undefined ? {} : { url: settings.url }), { scheduledDelayMillis: 1_000 })],
    });
    this.tracer = this.provider.getTracer('llm-gateway');
  }

  /** A server span for one request, child of the client's `traceparent` when it sent one. */
  startRequest(name: string, attributes: Attributes, clientTraceparent: string | undefined): TraceSpan {
    if (this.tracer === undefined) return new PassThroughSpan(clientTraceparent);
    const parent = clientTraceparent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, { traceparent: clientTraceparent }, { get: (carrier, key) => carrier[key as 'traceparent'], keys: (carrier) => Object.keys(carrier) });
    return new OtelSpan(this.tracer, this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent));
  }

  /** Exports what is buffered now. */
  async flush(): Promise<void> {
    await this.provider?.forceFlush();
  }

  /** Exports what is buffered; called at shutdown. */
  async close(): Promise<void> {
    await this.provider?.shutdown();
  }
}
