/**
 * The metrics table of docs/observability.md, rendered from METRIC_SERIES (pure), and the
 * splice of a generated region between `<!-- BEGIN GENERATED: name -->` and its END line.
 * `npm run docs:metrics` writes it; test/observability/metrics-docs.test.ts fails when stale.
 */
import { METRIC_SERIES, type SeriesSpec } from './metric-series.js';

export const METRICS_DOC_PATH = 'docs/observability.md';
export const METRICS_REGION = 'metrics';

const cell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (text: string): string => `\`${text}\``;

function row(spec: SeriesSpec): string {
  const type = spec.registered === 'shared' ? `${spec.type} (shared mode only)` : spec.type;
  return `| ${code(spec.name)} | ${type} | ${spec.labels.map(code).join(', ')} | ${cell(spec.doc ?? spec.help)} |`;
}

/** One sentence per distinct bucket list, naming the histograms that use it. */
function bucketLines(series: readonly SeriesSpec[]): string[] {
  const byBuckets = new Map<string, string[]>();
  for (const spec of series) {
    if (spec.type !== 'histogram') continue;
    const key = (spec.buckets ?? []).join(', ');
    byBuckets.set(key, [...(byBuckets.get(key) ?? []), code(spec.name)]);
  }
  return [...byBuckets].map(([buckets, names]) => `Buckets of ${names.join(', ')} (seconds): ${buckets}.`);
}

export function renderMetricsTable(table: Readonly<Record<string, SeriesSpec>> = METRIC_SERIES): string {
  const series = Object.values(table);
  return [
    '<!-- Written by `npm run docs:metrics` from src/observability/metric-series.ts: edit the table there. -->',
    '| metric | type | labels | what |',
    '|---|---|---|---|',
    ...series.map(row),
    '',
    ...bucketLines(series),
    '',
    "Plus prom-client's default `process_*` and `nodejs_*` metrics.",
  ].join('\n');
}

const markers = (region: string): { begin: string; end: string } => ({
  begin: `<!-- BEGIN GENERATED: ${region} -->`,
  end: `<!-- END GENERATED: ${region} -->`,
});

/** Where a region's marker lines are; null when either is missing. */
function locate(document: string, region: string): { begin: string; end: string; from: number; to: number } | null {
  const { begin, end } = markers(region);
  const from = document.indexOf(begin);
  const to = from < 0 ? -1 : document.indexOf(end, from + begin.length);
  return from < 0 || to < 0 ? null : { begin, end, from, to };
}

/** What lies between a region's marker lines, without the line breaks next to them; null when the markers are missing. */
export function generatedRegion(document: string, region: string): string | null {
  const found = locate(document, region);
  if (found === null) return null;
  return document
    .slice(found.from + found.begin.length, found.to)
    .replace(/^\n/, '')
    .replace(/\n$/, '');
}

/** The document with a region's content replaced; throws when the marker lines are missing. */
export function replaceGeneratedRegion(document: string, region: string, content: string): string {
  const found = locate(document, region);
  if (found === null) {
    const { begin, end } = markers(region);
    throw new Error(`no "${begin}" ... "${end}" lines to write between`);
  }
  return `${document.slice(0, found.from)}${found.begin}\n${content}\n${document.slice(found.to)}`;
}
