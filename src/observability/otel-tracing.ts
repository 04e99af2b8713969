/** Tracing with the OpenTelemetry SDK: loaded by tracing.ts only when tracing is on. */
import { context as otelContext, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TraceSpan, TracingBackend, TracingSettings } from './trace-types.js';

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

export function createOtelBackend(settings: TracingSettings, exporter?: SpanExporter): TracingBackend {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter ?? new OTLPTraceExporter(settings.url === undefined ? {} : { url: settings.url }), { scheduledDelayMillis: 1_000 })],
  });
  const tracer = provider.getTracer('llm-gateway');
  return {
    startRequest(name, attributes, clientTraceparent) {
      const parent = clientTraceparent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, { traceparent: clientTraceparent }, { get: (carrier, key) => carrier[key as 'traceparent'], keys: (carrier) => Object.keys(carrier) });
      return new OtelSpan(tracer, tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent));
    },
    flush: () => provider.forceFlush(),
    close: () => provider.shutdown(),
  };
}
