/**
 * OpenTelemetry spans over the whole stack, exported to memory: a request carrying the router's
 * `traceparent` is traced inside the router's trace, with a span per loader batch, per quota wait
 * and per provider attempt, and no span carries a secret, a signature, a URL or a payload.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { EMULATOR_CREDENTIALS, SEED, SEED_S3_SECRETS } from '../../src/emulator/index.js';
import { otelTracing } from '../../src/observability/otel.js';
import { startRedisServer } from '../../support/redis-server.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const ROUTER_SPAN_ID = '00f067aa0ba902b7';
const LIST = 'query Dashboard($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId } }';
const IDS = [SEED.image.finishedSuccess, SEED.image.finishedPartial, SEED.image.docExampleFinished];

describe('OpenTelemetry traces', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack(
      // Two calls a second for three ids and a retry: two of the four attempts wait their turn.
      {
        MPS_RATE_LIMIT_RPS: '2',
        UPSTREAM_RETRY_BASE_DELAY_MS: '1',
        UPSTREAM_RETRY_MAX_DELAY_MS: '1',
        RESPONSE_CACHE_MAX_BYTES: '0',
      },
      { tracing: otelTracing(provider.getTracer('test'), () => provider.shutdown()) },
    );
  });
  afterAll(async () => {
    await stack?.stop();
    await provider.shutdown();
  });

  /** The request span ends when the response closes, a moment after the client has read it. */
  async function finishedSpans(): Promise<ReadableSpan[]> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const spans = exporter.getFinishedSpans();
      if (spans.some((span) => span.name === 'graphql request')) return spans;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return exporter.getFinishedSpans();
  }

  it('continues the router trace with spans for the request, the loader batch, each quota wait and each provider attempt', async () => {
    exporter.reset();
    stack.emulator.injectFault({ taskId: SEED.image.finishedSuccess }, { kind: 'throttle', times: 1 });
    const { body } = await stack.query(LIST, { ids: IDS }, { traceparent: `00-${TRACE_ID}-${ROUTER_SPAN_ID}-01` });
    stack.emulator.clearFaults();
    expect(body.errors).toBeUndefined();

    const spans = await finishedSpans();
    expect(spans.every((span) => span.spanContext().traceId === TRACE_ID)).toBe(true);
    const byName = (name: string): ReadableSpan[] => spans.filter((span) => span.name === name);
    const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

    const [request, ...otherRequests] = byName('graphql request');
    expect(otherRequests).toHaveLength(0);
    expect(parentOf(request!)).toBe(ROUTER_SPAN_ID);
    expect(request!.attributes).toMatchObject({
      'graphql.operation.name': 'Dashboard',
      'graphql.operation.type': 'query',
      'http.response.status_code': 200,
    });

    const [batch, ...otherBatches] = byName('loader batch');
    expect(otherBatches).toHaveLength(0);
    expect(parentOf(batch!)).toBe(request!.spanContext().spanId);
    expect(batch!.attributes).toMatchObject({ provider: 'tencent-mps', 'batch.size': 3, 'batch.failed': 0 });

    // Three first attempts and one retry, each under the batch.
    const attempts = byName('provider attempt');
    expect(attempts).toHaveLength(4);
    for (const attempt of attempts) expect(parentOf(attempt)).toBe(batch!.spanContext().spanId);
    expect(attempts.map((span) => [span.attributes['attempt'], span.attributes['outcome']]).sort()).toEqual([
      [1, 'OK'],
      [1, 'OK'],
      [1, 'RATE_LIMITED'],
      [2, 'OK'],
    ]);
    for (const attempt of attempts)
      expect(attempt.attributes).toMatchObject({ provider: 'tencent-mps', action: 'DescribeImageTaskDetail' });

    const waits = byName('quota wait');
    expect(waits).toHaveLength(4);
    for (const wait of waits) {
      expect(parentOf(wait)).toBe(batch!.spanContext().spanId);
      expect(wait.attributes).toMatchObject({ provider: 'tencent-mps', quota: 'local', outcome: 'GRANTED' });
    }
    expect(waits.filter((wait) => wait.attributes['attempt'] === 2)).toHaveLength(1);
  }, 20_000);

  it('starts a trace of its own without a traceparent, and ignores a malformed one', async () => {
    exporter.reset();
    await stack.query(LIST, { ids: [SEED.image.docExampleFinished] }, { traceparent: '00-not-a-trace-01' });
    const [request] = (await finishedSpans()).filter((span) => span.name === 'graphql request');
    expect(request?.parentSpanContext).toBeUndefined();
    expect(request?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(request?.spanContext().traceId).not.toBe(TRACE_ID);
  });

  it('puts no secret, signature, URL or payload into any span', async () => {
    exporter.reset();
    stack.emulator.injectFault({ taskId: SEED.image.finishedPartial }, { kind: 'throttle', times: 1 });
    await stack.query(LIST, { ids: IDS }, { traceparent: `00-${TRACE_ID}-${ROUTER_SPAN_ID}-01` });
    stack.emulator.clearFaults();
    const spans = await finishedSpans();
    expect(spans.length).toBeGreaterThanOrEqual(5);
    const text = JSON.stringify(
      spans.map((span) => ({
        name: span.name,
        attributes: span.attributes,
        events: span.events,
        status: span.status,
        links: span.links,
      })),
    );
    const forbidden = [
      EMULATOR_CREDENTIALS.tencent.secretKey,
      EMULATOR_CREDENTIALS.tencent.secretId,
      EMULATOR_CREDENTIALS.alibaba.accessKeySecret,
      SEED_S3_SECRETS.secretId,
      SEED_S3_SECRETS.secretKey,
      'TC3-HMAC-SHA256',
      'Signature',
      '://',
      stack.emulator.url,
      // Payload: task ids and what the provider answered.
      ...IDS,
      'WorkflowTask',
    ];
    for (const value of forbidden) expect(text).not.toContain(value);
  }, 20_000);
});

describe('OpenTelemetry export over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it('sends the spans to <endpoint>/v1/traces, flushed when the app stops, with the service name', async () => {
    const received: Array<{ path: string; body: string }> = [];
    const collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    try {
      const stack = await startTestStack({
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}/`,
        OTEL_SERVICE_NAME: 'media-tasks-test',
      });
      await stack.query(
        LIST,
        { ids: [SEED.image.docExampleFinished] },
        { traceparent: `00-${TRACE_ID}-${ROUTER_SPAN_ID}-01` },
      );
      expect(stack.logLines.find((line) => line.includes('subgraph listening'))).toContain('"tracing":true');
      await stack.stop();
      const traces = received.filter((request) => request.path === '/v1/traces');
      expect(traces.length).toBeGreaterThanOrEqual(1);
      const all = traces.map((request) => request.body).join('\n');
      expect(all).toContain(TRACE_ID);
      expect(all).toContain('media-tasks-test');
      expect(all).toContain('provider attempt');
      expect(all).not.toContain(EMULATOR_CREDENTIALS.tencent.secretKey);
    } finally {
      collector.close();
    }
  }, 20_000);

  it('makes no span and says tracing is off without it', async () => {
    const stack = await startTestStack();
    await stack.query(
      LIST,
      { ids: [SEED.image.docExampleFinished] },
      { traceparent: `00-${TRACE_ID}-${ROUTER_SPAN_ID}-01` },
    );
    expect(stack.logLines.find((line) => line.includes('subgraph listening'))).toContain('"tracing":false');
    await stack.stop();
  });
});

describe('OpenTelemetry traces in shared mode (REDIS_URL)', () => {
  it('names the shared quota on each quota wait span', async () => {
    const redis = await startRedisServer();
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    try {
      const stack = await startTestStack(
        { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `otel-${process.pid}:`, RESPONSE_CACHE_MAX_BYTES: '0' },
        { tracing: otelTracing(provider.getTracer('test'), () => provider.shutdown()) },
      );
      await stack.query(
        LIST,
        { ids: [SEED.image.docExampleFinished, SEED.image.finishedPartial] },
        { traceparent: `00-${TRACE_ID}-${ROUTER_SPAN_ID}-01` },
      );
      await stack.stop();
      const waits = exporter.getFinishedSpans().filter((span) => span.name === 'quota wait');
      expect(waits).toHaveLength(2);
      for (const wait of waits)
        expect(wait.attributes).toMatchObject({ provider: 'tencent-mps', quota: 'shared', outcome: 'GRANTED' });
      expect(waits.every((wait) => wait.spanContext().traceId === TRACE_ID)).toBe(true);
    } finally {
      await provider.shutdown();
      await redis.stop();
    }
  }, 20_000);
});
