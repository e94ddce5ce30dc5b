/**
 * OpenTelemetry behind the Tracing interface (./tracing.ts), imported dynamically by app.ts only
 * when OTEL_EXPORTER_OTLP_ENDPOINT is set. Spans are made explicitly with their parent passed in:
 * no auto-instrumentation, no global registration, no async-context manager. The router's
 * `traceparent` is read with the W3C Trace Context propagator.
 */
import { ROOT_CONTEXT, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { HeaderGetter, SpanAttributes, TraceSpan, Tracing } from './tracing.js';

export interface OtelTracingConfig {
  /** OTLP/HTTP base endpoint; traces go to `<endpoint>/v1/traces`, as the OTLP exporter specification says. */
  readonly endpoint: string;
  readonly serviceName: string;
  readonly serviceVersion?: string;
}

function wrap(tracer: Tracer, span: Span): TraceSpan {
  return {
    child: (name, attributes) =>
      wrap(tracer, tracer.startSpan(name, attributes ? { attributes } : {}, trace.setSpan(ROOT_CONTEXT, span))),
    setAttributes: (attributes) => {
      span.setAttributes(attributes);
    },
    fail: (code) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: code });
    },
    end: () => span.end(),
  };
}

/** The Tracing over any tracer: production's (startOtelTracing) or a test's in-memory one. */
export function otelTracing(tracer: Tracer, shutdown: () => Promise<void>): Tracing {
  const propagator = new W3CTraceContextPropagator();
  const getter = {
    get: (carrier: HeaderGetter, key: string) => carrier(key),
    // The propagator asks only for the keys it knows (traceparent, tracestate).
    keys: () => [],
  };
  return {
    enabled: true,
    startRequest: (name: string, header: HeaderGetter, attributes?: SpanAttributes) => {
      const parent = propagator.extract(ROOT_CONTEXT, header, getter);
      return wrap(tracer, tracer.startSpan(name, attributes ? { attributes } : {}, parent));
    },
    shutdown,
  };
}

/** Production: spans batched and sent over OTLP/HTTP (JSON/protobuf per the exporter's defaults). */
export async function startOtelTracing(config: OtelTracingConfig): Promise<Tracing> {
  const [
    { BasicTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const exporter = new OTLPTraceExporter({ url: `${config.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: config.serviceName,
      ...(config.serviceVersion !== undefined && { [ATTR_SERVICE_VERSION]: config.serviceVersion }),
    }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  return otelTracing(provider.getTracer('media-task-subgraph'), () => provider.shutdown());
}
