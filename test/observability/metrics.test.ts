/**
 * The metrics module on its own: series names and labels, bounded operation labels,
 * and how upstream events reach the registry. (A request's own upstream counts travel
 * with its lookups instead: test/upstream/.)
 */
import { combineUpstreamSubscribers, createMetrics, type Metrics } from '../../src/observability/metrics.js';
import { newRequestTelemetry, requestIdFrom } from '../../src/observability/request-telemetry.js';
import type { UpstreamEvents } from '../../src/upstream/events.js';

/** The value of one exposition line, e.g. `upstream_requests_total{provider="tencent-mps",...}`; undefined when absent. */
async function sample(metrics: Metrics, series: string): Promise<number | undefined> {
  const text = await metrics.registry.metrics();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  let metrics: Metrics;
  let events: Partial<UpstreamEvents>;
  beforeEach(() => {
    metrics = createMetrics({ defaultMetrics: false, maxOperationNames: 2 });
    events = metrics.upstreamEvents;
  });

  it('counts provider calls by provider, action and outcome, and times them', async () => {
    events.onUpstreamCall?.('tencent-mps', 'OK', 40);
    events.onUpstreamCall?.('tencent-mps', 'OK', 60);
    events.onUpstreamCall?.('alibaba-ice', 'RATE_LIMITED', 5);
    expect(
      await sample(
        metrics,
        'upstream_requests_total{provider="tencent-mps",action="DescribeImageTaskDetail",outcome="OK"}',
      ),
    ).toBe(2);
    expect(
      await sample(
        metrics,
        'upstream_requests_total{provider="alibaba-ice",action="GetAIWorkflowTask",outcome="RATE_LIMITED"}',
      ),
    ).toBe(1);
    expect(
      await sample(
        metrics,
        'upstream_request_duration_seconds_count{provider="tencent-mps",action="DescribeImageTaskDetail"}',
      ),
    ).toBe(2);
    expect(
      await sample(
        metrics,
        'upstream_request_duration_seconds_sum{provider="tencent-mps",action="DescribeImageTaskDetail"}',
      ),
    ).toBeCloseTo(0.1);
    expect(
      await sample(
        metrics,
        'upstream_request_duration_seconds_bucket{le="0.05",provider="tencent-mps",action="DescribeImageTaskDetail"}',
      ),
    ).toBe(1);
  });

  it('counts cache hits and misses, shared calls, retries and deadlines', async () => {
    events.onCacheHit?.('tencent-mps');
    events.onCacheHit?.('tencent-mps');
    events.onCacheMiss?.('alibaba-ice');
    events.onInFlightShared?.('alibaba-ice');
    events.onRetry?.('alibaba-ice', 2, new Error('throttled'), 100);
    events.onDeadlineExceeded?.('tencent-mps');
    expect(await sample(metrics, 'upstream_cache_hits_total{provider="tencent-mps"}')).toBe(2);
    expect(await sample(metrics, 'upstream_cache_misses_total{provider="alibaba-ice"}')).toBe(1);
    expect(await sample(metrics, 'upstream_in_flight_shared_total{provider="alibaba-ice"}')).toBe(1);
    expect(await sample(metrics, 'upstream_retries_total{provider="alibaba-ice",action="GetAIWorkflowTask"}')).toBe(1);
    expect(await sample(metrics, 'upstream_deadline_exceeded_total{provider="tencent-mps"}')).toBe(1);
  });

  it('reports the rate limiter queue length and wait time', async () => {
    events.onRateLimitWait?.('tencent-mps', 250, 3);
    events.onRateLimitWait?.('tencent-mps', 500, 2);
    events.onRateLimitRejected?.('alibaba-ice', 1000);
    expect(await sample(metrics, 'upstream_rate_limiter_queue_length{provider="tencent-mps"}')).toBe(2);
    expect(await sample(metrics, 'upstream_rate_limiter_queue_length{provider="alibaba-ice"}')).toBe(1000);
    expect(await sample(metrics, 'upstream_rate_limiter_wait_seconds_count{provider="tencent-mps"}')).toBe(2);
    expect(await sample(metrics, 'upstream_rate_limiter_wait_seconds_sum{provider="tencent-mps"}')).toBeCloseTo(0.75);
    expect(await sample(metrics, 'upstream_rate_limiter_rejected_total{provider="alibaba-ice"}')).toBe(1);
  });

  it('counts GraphQL requests by operation and outcome, and errors by code', async () => {
    metrics.graphqlRequest({
      operationName: 'Dashboard',
      refused: false,
      outcome: 'partial',
      durationMs: 12,
      errorCodes: ['NOT_FOUND', 'NOT_FOUND'],
    });
    metrics.graphqlRequest({ operationName: null, refused: false, outcome: 'ok', durationMs: 3, errorCodes: [] });
    expect(await sample(metrics, 'graphql_requests_total{operation="Dashboard",outcome="partial"}')).toBe(1);
    expect(await sample(metrics, 'graphql_requests_total{operation="(anonymous)",outcome="ok"}')).toBe(1);
    expect(await sample(metrics, 'graphql_errors_total{code="NOT_FOUND"}')).toBe(2);
    expect(await sample(metrics, 'graphql_request_duration_seconds_count{operation="Dashboard"}')).toBe(1);
  });

  it('keeps operation labels bounded: names beyond the cap are (other), non-names are (invalid)', async () => {
    for (const operationName of ['A', 'B', 'C', 'D', 'A', 'not a name', 'x'.repeat(101)]) {
      metrics.graphqlRequest({ operationName, refused: false, outcome: 'ok', durationMs: 1, errorCodes: [] });
    }
    expect(await sample(metrics, 'graphql_requests_total{operation="A",outcome="ok"}')).toBe(2);
    expect(await sample(metrics, 'graphql_requests_total{operation="B",outcome="ok"}')).toBe(1);
    expect(await sample(metrics, 'graphql_requests_total{operation="(other)",outcome="ok"}')).toBe(2);
    expect(await sample(metrics, 'graphql_requests_total{operation="(invalid)",outcome="ok"}')).toBe(2);
    expect(await sample(metrics, 'graphql_requests_total{operation="C",outcome="ok"}')).toBeUndefined();
  });

  it('counts refused requests under one label, whatever name they carry, and spends no label budget on them', async () => {
    for (const operationName of ['Junk1', 'Junk2', 'Junk3', null]) {
      metrics.graphqlRequest({
        operationName,
        refused: true,
        outcome: 'failed',
        durationMs: 1,
        errorCodes: ['GRAPHQL_PARSE_FAILED'],
      });
    }
    expect(await sample(metrics, 'graphql_requests_total{operation="(refused)",outcome="failed"}')).toBe(4);
    expect(await sample(metrics, 'graphql_requests_total{operation="Junk1",outcome="failed"}')).toBeUndefined();
    // The budget here is 2 names: both still go to real operations.
    for (const operationName of ['A', 'B'])
      metrics.graphqlRequest({ operationName, refused: false, outcome: 'ok', durationMs: 1, errorCodes: [] });
    expect(await sample(metrics, 'graphql_requests_total{operation="B",outcome="ok"}')).toBe(1);
  });

  it('counts refusals by reason', async () => {
    metrics.httpRefused('unauthenticated');
    metrics.httpRefused('body_too_large');
    expect(await sample(metrics, 'http_requests_refused_total{reason="unauthenticated"}')).toBe(1);
    expect(await sample(metrics, 'http_requests_refused_total{reason="body_too_large"}')).toBe(1);
  });

  it('includes process and Node.js metrics unless told not to', async () => {
    const text = await createMetrics().registry.metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    expect(await metrics.registry.metrics()).not.toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('gives each app its own registry', async () => {
    const other = createMetrics({ defaultMetrics: false });
    events.onCacheHit?.('tencent-mps');
    expect(await sample(other, 'upstream_cache_hits_total{provider="tencent-mps"}')).toBeUndefined();
  });
});

describe('upstream subscribers', () => {
  it('reach every subscriber when combined', () => {
    const seen: string[] = [];
    const combined = combineUpstreamSubscribers({ onCacheHit: (provider) => seen.push(`a:${provider}`) }, undefined, {
      onCacheHit: (provider) => seen.push(`b:${provider}`),
      onCacheMiss: () => seen.push('b:miss'),
    });
    combined.onCacheHit?.('alibaba-ice');
    combined.onCacheMiss?.('alibaba-ice');
    expect(seen).toEqual(['a:alibaba-ice', 'b:alibaba-ice', 'b:miss']);
  });
});

describe('request telemetry', () => {
  it('starts every count of a new request at zero', () => {
    expect(newRequestTelemetry('r-1')).toEqual({
      requestId: 'r-1',
      upstreamCalls: 0,
      cacheHits: 0,
      cacheMisses: 0,
      inFlightShared: 0,
      retries: 0,
    });
  });
});

describe('requestIdFrom', () => {
  const generate = (): string => 'generated';
  it.each([['3f1c2e3d-4b5a-4978-9f1c-2e3d4b5a6978'], ['01HZX3'], ['router:abc/def+1=']])('keeps %s', (header) => {
    expect(requestIdFrom(header, generate)).toBe(header);
  });
  it.each([[undefined], [''], ['has spaces'], ['x'.repeat(129)], ['quote"d'], ['{json}']])('replaces %j', (header) => {
    expect(requestIdFrom(header, generate)).toBe('generated');
  });
});

describe('rate limiter queue gauge', () => {
  it('reads a watched queue at scrape time', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let waiting = 4;
    metrics.watchRateLimitQueue('alibaba-ice', () => waiting);
    expect(await sample(metrics, 'upstream_rate_limiter_queue_length{provider="alibaba-ice"}')).toBe(4);
    waiting = 0;
    expect(await sample(metrics, 'upstream_rate_limiter_queue_length{provider="alibaba-ice"}')).toBe(0);
  });
});

describe('edge cache series', () => {
  it('counts edge cache hits and reads its size at scrape time', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let size = { entries: 0, bytes: 0 };
    metrics.watchEdgeCache(() => size);
    metrics.edgeCacheHit();
    metrics.edgeCacheHit();
    size = { entries: 3, bytes: 1234 };
    expect(await sample(metrics, 'edge_cache_hits_total')).toBe(2);
    expect(await sample(metrics, 'edge_cache_entries')).toBe(3);
    expect(await sample(metrics, 'edge_cache_bytes')).toBe(1234);
  });
});

describe('task cache series', () => {
  it("reads each provider's task cache entries and bytes at scrape time", async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    let mps = { entries: 0, bytes: 0 };
    metrics.watchTaskCache('tencent-mps', () => mps);
    metrics.watchTaskCache('alibaba-ice', () => ({ entries: 2, bytes: 500_000 }));
    mps = { entries: 7, bytes: 4321 };
    expect(await sample(metrics, 'task_cache_entries{provider="tencent-mps"}')).toBe(7);
    expect(await sample(metrics, 'task_cache_bytes{provider="tencent-mps"}')).toBe(4321);
    expect(await sample(metrics, 'task_cache_entries{provider="alibaba-ice"}')).toBe(2);
    expect(await sample(metrics, 'task_cache_bytes{provider="alibaba-ice"}')).toBe(500_000);
  });
});

describe('a metric failure', () => {
  it('never reaches the caller: a recorder or event hook that throws inside prom-client is swallowed', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    expect(() =>
      metrics.graphqlRequest({
        operationName: 'A',
        refused: false,
        outcome: 'ok',
        durationMs: Number.NaN,
        errorCodes: [],
      }),
    ).not.toThrow();
    expect(() => metrics.upstreamEvents.onUpstreamCall('tencent-mps', 'OK', Number.NaN)).not.toThrow();
    expect(() => metrics.upstreamEvents.onRateLimitWait('tencent-mps', Number.POSITIVE_INFINITY, 1)).not.toThrow();
    // What was recorded before the failing observation stays recorded.
    expect(await sample(metrics, 'graphql_requests_total{operation="A",outcome="ok"}')).toBe(1);
    expect(
      await sample(
        metrics,
        'upstream_requests_total{provider="tencent-mps",action="DescribeImageTaskDetail",outcome="OK"}',
      ),
    ).toBe(1);
  });

  it('never fails a scrape: a watched reader that throws leaves the other series served', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.watchTaskCache('tencent-mps', () => {
      throw new Error('broken reader');
    });
    metrics.watchRateLimitQueue('alibaba-ice', () => 3);
    expect(await sample(metrics, 'upstream_rate_limiter_queue_length{provider="alibaba-ice"}')).toBe(3);
    expect(await sample(metrics, 'task_cache_entries{provider="tencent-mps"}')).toBeUndefined();
  });
});
