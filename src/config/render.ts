/**
 * Renders docs/configuration.md and .env.example from the table of variables (pure: table in,
 * text out). `npm run docs` writes them; test/config.test.ts fails when either file is stale.
 */
import { SECTIONS, type Section, type Variable } from './kinds.js';

type Table = Readonly<Record<string, Variable<unknown>>>;

const GENERATED = 'Generated from src/config/variables.ts by `npm run docs`: edit the table, not this file.';

function bySection(table: Table): Array<[Section, Array<[string, Variable<unknown>]>]> {
  return (Object.keys(SECTIONS) as Section[])
    .map((section): [Section, Array<[string, Variable<unknown>]>] => [
      section,
      Object.entries(table).filter(([, variable]) => variable.section === section),
    ])
    .filter(([, entries]) => entries.length > 0);
}

function envText(variable: Variable<unknown>, value: unknown): string {
  return variable.written ? variable.written(value) : String(value);
}

/** A size or duration in a unit people read, beside the raw value. */
function readable(name: string, value: unknown): string {
  if (typeof value !== 'number' || value === 0) return '';
  if (name.endsWith('_BYTES')) {
    if (value % (1024 * 1024) === 0) return ` (${value / (1024 * 1024)} MiB)`;
    if (value % 1024 === 0) return ` (${value / 1024} KiB)`;
  }
  if (name.endsWith('_MS')) {
    if (value % 3_600_000 === 0) return ` (${value / 3_600_000} h)`;
    if (value % 60_000 === 0) return ` (${value / 60_000} min)`;
  }
  return '';
}

function defaultCell(name: string, variable: Variable<unknown>): string {
  const declared = variable.default;
  if (declared.kind !== 'value') return declared.text;
  const text = envText(variable, declared.value);
  return text === '' ? 'unset' : `\`${text}\`${readable(name, declared.value)}`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

function renderConfigurationDoc(table: Table): string {
  const lines = [
    '# Configuration',
    '',
    `<!-- ${GENERATED} -->`,
    '',
    "The subgraph reads its environment only (it does not load a `.env` file itself: use `node --env-file=.env dist/index.js`, `docker run --env-file .env` or your platform's settings). [`.env.example`](../.env.example) lists every variable below with its default.",
    '',
    'Every variable is optional. Unset and blank are the same (except for `SUBGRAPH_SHARED_SECRET`). A bad value stops start-up with one message naming every variable at fault; the values of secrets and URLs are never echoed.',
  ];
  for (const [section, entries] of bySection(table)) {
    lines.push(
      '',
      `## ${SECTIONS[section]}`,
      '',
      '| variable | default | accepts | description |',
      '|---|---|---|---|',
    );
    for (const [name, variable] of entries) {
      const names = [`\`${name}\``, ...variable.aliases.map((alias) => `(or \`${alias}\`)`)].join(' ');
      lines.push(
        `| ${names} | ${cell(defaultCell(name, variable))} | ${cell(variable.accepts)} | ${cell(variable.description)} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function renderEnvExample(table: Table): string {
  const lines = [
    '# media-task-subgraph: every environment variable it reads, with its default.',
    `# ${GENERATED}`,
    "# Copy to .env (or into your orchestrator's environment) and uncomment what you change.",
    '# Every variable is optional; a bad value stops start-up with a message naming it (docs/configuration.md).',
    '# The subgraph reads the process environment only: it does not load this file itself',
    "# (use `node --env-file=.env dist/index.js`, `docker run --env-file .env`, or your platform's settings).",
  ];
  for (const [section, entries] of bySection(table)) {
    lines.push('', `# ---- ${SECTIONS[section]}`);
    for (const [name, variable] of entries) {
      const declared = variable.default;
      const stated = declared.kind === 'value' ? '' : ` Default: ${declared.text}.`;
      lines.push(`# ${variable.description}${stated}`);
      const value = declared.kind === 'value' && !variable.secret ? envText(variable, declared.value) : '';
      lines.push(`# ${name}=${value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The generated files, by path from the repository root. */
export function renderGeneratedFiles(table: Table): ReadonlyArray<{ readonly path: string; readonly content: string }> {
  return [
    { path: 'docs/configuration.md', content: renderConfigurationDoc(table) },
    { path: '.env.example', content: renderEnvExample(table) },
  ];
}
