/**
 * The registry is built from the table of series: every entry becomes exactly one series
 * with its name, help, type, labels and buckets, and shared-mode series appear only once used.
 */
import { createMetrics } from '../../src/observability/metrics.js';
import { LATENCY_BUCKETS_SECONDS, METRIC_SERIES } from '../../src/observability/metric-series.js';

describe('the table of series', () => {
  it('builds the registry: one series per entry, with its name, help, type and labels, in table order', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.redisState('up');
    const registered = (await metrics.registry.getMetricsAsJSON()).map(({ name, help, type }) => ({
      name,
      help,
      type: String(type),
    }));
    const startOnly = Object.values(METRIC_SERIES).filter((spec) => !('registered' in spec));
    const sharedOnly = Object.values(METRIC_SERIES).filter((spec) => 'registered' in spec);
    expect(registered).toEqual([...startOnly, ...sharedOnly].map(({ name, help, type }) => ({ name, help, type })));
    for (const spec of Object.values(METRIC_SERIES)) {
      const series = metrics.registry.getSingleMetric(spec.name) as unknown as {
        labelNames: string[];
        upperBounds?: number[];
      };
      expect(series.labelNames).toEqual(spec.labels);
      if (spec.type === 'histogram') expect(series.upperBounds).toEqual('buckets' in spec ? spec.buckets : undefined);
    }
  });

  it('gives every histogram the latency buckets', () => {
    const histograms = Object.values(METRIC_SERIES).filter((spec) => spec.type === 'histogram');
    expect(histograms.map((spec) => spec.name)).toEqual([
      'graphql_request_duration_seconds',
      'upstream_request_duration_seconds',
      'upstream_rate_limiter_wait_seconds',
    ]);
    for (const spec of histograms) expect('buckets' in spec && spec.buckets).toEqual(LATENCY_BUCKETS_SECONDS);
  });

  it('names each series once', () => {
    const names = Object.values(METRIC_SERIES).map((spec) => spec.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('registers the shared-mode series only at the first Redis report, both together', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    expect(await metrics.registry.metrics()).not.toMatch(/redis_/);
    metrics.redisFallback();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^redis_fallbacks_total 1$/m);
    expect(text).toMatch(/^redis_up 0$/m);
    metrics.redisState('up');
    expect(await metrics.registry.metrics()).toMatch(/^redis_up 1$/m);
  });

  it('tells a degraded Redis from an up and a down one, and counts dropped entries by provider and reason', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const read = async (): Promise<string> => metrics.registry.metrics();
    const gauges = (text: string) => ({
      up: /^redis_up (\d)$/m.exec(text)?.[1],
      degraded: /^redis_degraded (\d)$/m.exec(text)?.[1],
    });
    metrics.redisState('degraded');
    expect(gauges(await read())).toEqual({ up: '0', degraded: '1' });
    metrics.redisState('down');
    expect(gauges(await read())).toEqual({ up: '0', degraded: '0' });
    metrics.redisState('up');
    expect(gauges(await read())).toEqual({ up: '1', degraded: '0' });
    metrics.redisValueDropped('tencent-mps', 'shape');
    metrics.redisValueDropped('tencent-mps', 'shape');
    metrics.redisValueDropped('alibaba-ice', 'signature');
    const text = await read();
    expect(text).toMatch(/^redis_values_dropped_total\{provider="tencent-mps",reason="shape"\} 2$/m);
    expect(text).toMatch(/^redis_values_dropped_total\{provider="alibaba-ice",reason="signature"\} 1$/m);
  });
});
