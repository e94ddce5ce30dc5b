// Writes the metrics table of docs/observability.md from src/observability/metric-series.ts.
// Run through `npm run docs:metrics`, which builds dist/ first (this file imports the built module).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  METRICS_DOC_PATH,
  METRICS_REGION,
  renderMetricsTable,
  replaceGeneratedRegion,
} from '../dist/observability/metric-docs.js';

const path = fileURLToPath(new URL(`../${METRICS_DOC_PATH}`, import.meta.url));
const before = readFileSync(path, 'utf8');
const after = replaceGeneratedRegion(before, METRICS_REGION, renderMetricsTable());
if (after === before) {
  console.log(`${METRICS_DOC_PATH}: metrics table up to date`);
} else {
  writeFileSync(path, after);
  console.log(`${METRICS_DOC_PATH}: metrics table written`);
}
