/**
 * The tracing the rest of the code knows: a request span that may continue the router's trace, and
 * child spans under it. OpenTelemetry stands behind it only with OTEL_EXPORTER_OTLP_ENDPOINT
 * (./otel.ts); otherwise `noTracing` answers. Spans travel with the lookup (TaskCall.span).
 * Attributes are counts, names and codes only: never a secret, a signature, a URL or a payload.
 */

export type SpanAttributes = Readonly<Record<string, string | number | boolean>>;

export interface TraceSpan {
  /** A span under this one, started now. */
  child(name: string, attributes?: SpanAttributes): TraceSpan;
  setAttributes(attributes: SpanAttributes): void;
  /** Marks the span as failed, with a code (never a message: provider messages may quote input). */
  fail(code: string): void;
  end(): void;
}

/** Reads one incoming header, lower-case name; undefined when absent. */
export type HeaderGetter = (name: string) => string | undefined;

export interface Tracing {
  /** False for `noTracing`: callers then skip even building span arguments. */
  readonly enabled: boolean;
  /** A request's span: a child of the caller's trace when its headers carry a valid W3C `traceparent`, else a new trace. */
  startRequest(name: string, header: HeaderGetter, attributes?: SpanAttributes): TraceSpan;
  /** Sends what is still buffered; called once at shutdown. */
  shutdown(): Promise<void>;
}

export const NO_SPAN: TraceSpan = {
  child: () => NO_SPAN,
  setAttributes: () => undefined,
  fail: () => undefined,
  end: () => undefined,
};

export const noTracing: Tracing = {
  enabled: false,
  startRequest: () => NO_SPAN,
  shutdown: async () => undefined,
};
