/** What tracing.ts and its OpenTelemetry backend (otel-tracing.ts) share. */
import type { Attributes } from '@opentelemetry/api';

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

/** What tracing does when it is on; otel-tracing.ts implements it with the OpenTelemetry SDK. */
export interface TracingBackend {
  startRequest(name: string, attributes: Attributes, clientTraceparent: string | undefined): TraceSpan;
  flush(): Promise<void>;
  close(): Promise<void>;
}

