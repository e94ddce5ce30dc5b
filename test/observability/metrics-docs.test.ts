/**
 * docs/observability.md's metrics table is generated from the table of series: this
 * fails when it is stale (run `npm run docs:metrics`), and pins how a region is spliced.
 */
import { readFileSync } from 'node:fs';
import {
  generatedRegion,
  METRICS_DOC_PATH,
  METRICS_REGION,
  renderMetricsTable,
  replaceGeneratedRegion,
} from '../../src/observability/metric-docs.js';
import { METRIC_SERIES } from '../../src/observability/metric-series.js';

describe('the metrics table of docs/observability.md', () => {
  const document = readFileSync(METRICS_DOC_PATH, 'utf8');

  it('is what the table of series renders (run `npm run docs:metrics` when this fails)', () => {
    expect(generatedRegion(document, METRICS_REGION)).toBe(renderMetricsTable());
  });

  it('has one row per series, in registration order, with its type and labels', () => {
    const rows = renderMetricsTable()
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    expect(rows).toHaveLength(Object.keys(METRIC_SERIES).length);
    expect(rows.map((line) => /^\| `([a-z_]+)`/.exec(line)?.[1])).toEqual(
      Object.values(METRIC_SERIES).map((spec) => spec.name),
    );
    expect(rows[0]).toBe(
      `| \`graphql_requests_total\` | counter | \`operation\`, \`outcome\` | ${METRIC_SERIES.graphqlRequests.doc} |`,
    );
    expect(rows.find((line) => line.startsWith('| `redis_up`'))).toMatch(
      /^\| `redis_up` \| gauge \(shared mode only\) \| {2}\| Shared mode: /,
    );
  });

  it('changes when a series changes, so a stale page cannot pass', () => {
    const changed = {
      ...METRIC_SERIES,
      graphqlErrors: { ...METRIC_SERIES.graphqlErrors, help: 'Other.', doc: 'Other | text.' },
    };
    expect(renderMetricsTable(changed)).not.toBe(renderMetricsTable());
    expect(renderMetricsTable(changed)).toContain('| `graphql_errors_total` | counter | `code` | Other \\| text. |');
  });
});

describe('generated regions', () => {
  const page = [
    '# Page',
    'before',
    '<!-- BEGIN GENERATED: metrics -->',
    'old',
    'lines',
    '<!-- END GENERATED: metrics -->',
    'after',
    '',
  ].join('\n');

  it('replace only what lies between the marker lines', () => {
    const next = replaceGeneratedRegion(page, 'metrics', 'new');
    expect(next).toBe(
      [
        '# Page',
        'before',
        '<!-- BEGIN GENERATED: metrics -->',
        'new',
        '<!-- END GENERATED: metrics -->',
        'after',
        '',
      ].join('\n'),
    );
    expect(generatedRegion(next, 'metrics')).toBe('new');
    expect(replaceGeneratedRegion(next, 'metrics', 'new')).toBe(next);
  });

  it('fill an empty region', () => {
    const empty = '<!-- BEGIN GENERATED: metrics -->\n<!-- END GENERATED: metrics -->\n';
    expect(generatedRegion(empty, 'metrics')).toBe('');
    expect(replaceGeneratedRegion(empty, 'metrics', 'a\nb')).toBe(
      '<!-- BEGIN GENERATED: metrics -->\na\nb\n<!-- END GENERATED: metrics -->\n',
    );
  });

  it('are not written without both markers, and other regions are left alone', () => {
    expect(generatedRegion(page, 'config')).toBeNull();
    expect(() => replaceGeneratedRegion(page, 'config', 'x')).toThrow('no "<!-- BEGIN GENERATED: config -->"');
    expect(() => replaceGeneratedRegion('<!-- BEGIN GENERATED: metrics -->\nno end\n', 'metrics', 'x')).toThrow();
  });
});
