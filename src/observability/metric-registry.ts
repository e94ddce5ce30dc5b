/**
 * Builds the prom-client series of METRIC_SERIES into one registry, typed by the table:
 * `series.upstreamRequests` is a Counter with exactly that entry's labels. Series marked
 * `registered: 'shared'` are registered together at the first access to any of them.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { guarded } from '../upstream/events.js';
import { METRIC_SERIES, type MetricSeries, type SeriesId, type SeriesSpec } from './metric-series.js';

type LabelOf<S extends SeriesSpec> = S['labels'][number];

export type Built<S extends SeriesSpec> = S['type'] extends 'counter'
  ? Counter<LabelOf<S>>
  : S['type'] extends 'gauge'
    ? Gauge<LabelOf<S>>
    : Histogram<LabelOf<S>>;

export type BuiltSeries = { readonly [K in SeriesId]: Built<MetricSeries[K]> };

type GaugeId = { [K in SeriesId]: MetricSeries[K]['type'] extends 'gauge' ? K : never }[SeriesId];

/** Scrape-time readers of gauges: called at every collection, guarded so a failing reader never fails the scrape. */
export type Collectors = { readonly [K in GaugeId]?: (gauge: Gauge<LabelOf<MetricSeries[K]>>) => void };

type AnySeries = Counter<string> | Gauge<string> | Histogram<string>;

function construct(
  spec: SeriesSpec,
  registry: Registry,
  collect: ((gauge: Gauge<string>) => void) | undefined,
): AnySeries {
  const common = { name: spec.name, help: spec.help, labelNames: spec.labels, registers: [registry] };
  switch (spec.type) {
    case 'counter':
      return new Counter(common);
    case 'histogram':
      return new Histogram({ ...common, buckets: [...(spec.buckets ?? [])] });
    case 'gauge': {
      if (collect === undefined) return new Gauge(common);
      const safe = guarded(collect);
      return new Gauge({
        ...common,
        collect() {
          safe(this);
        },
      });
    }
  }
}

export function buildSeries(registry: Registry, collectors: Collectors): BuiltSeries {
  const ids = Object.keys(METRIC_SERIES) as SeriesId[];
  const specOf = (id: SeriesId): SeriesSpec => METRIC_SERIES[id];
  const collectorOf = (id: SeriesId): ((gauge: Gauge<string>) => void) | undefined =>
    (collectors as Partial<Record<SeriesId, (gauge: Gauge<string>) => void>>)[id];
  const built = new Map<SeriesId, AnySeries>();
  const registerAll = (ofShared: boolean): void => {
    for (const id of ids) {
      if ((specOf(id).registered === 'shared') === ofShared)
        built.set(id, construct(specOf(id), registry, collectorOf(id)));
    }
  };
  registerAll(false);
  const series: Partial<Record<SeriesId, AnySeries>> = {};
  for (const id of ids) {
    if (specOf(id).registered !== 'shared') {
      series[id] = built.get(id);
      continue;
    }
    Object.defineProperty(series, id, {
      enumerable: true,
      get: () => {
        if (!built.has(id)) registerAll(true);
        return built.get(id);
      },
    });
  }
  return series as unknown as BuiltSeries;
}
