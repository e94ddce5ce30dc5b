/** The start-up banner: the emulator's sample tasks when it answers, then the URLs served. Pure text. */
import type { SampleTask } from './emulator/index.js';
import { PROVIDER_LIST } from './providers/registry.js';

export interface BannerFacts {
  /** The URL the listener bound, ending in '/'. */
  readonly url: string;
  /** Providers answered by the built-in emulator, by name; empty when none is. */
  readonly emulated: readonly string[];
  /** The emulated providers' sample tasks; empty when none is emulated. */
  readonly samples: readonly SampleTask[];
  readonly sandbox: boolean;
  readonly dashboard: boolean;
  /** Where the built-in emulator's controls are (RunningEmulator.controlsUrl); null when none runs. */
  readonly emulatorControls?: string | null;
}

/** Each sample is labelled with its provider's query field. */
const FIELD_BY_KIND = new Map(PROVIDER_LIST.map((provider) => [provider.sampleKind, provider.field]));

export function startupBanner(facts: BannerFacts): string {
  const lines: string[] = [];
  if (facts.emulated.length > 0) {
    const where = [facts.sandbox && 'Sandbox', facts.dashboard && 'the dashboard'].filter(Boolean).join(' or ');
    lines.push(
      '',
      `No credentials for ${facts.emulated.join(' and ')}: answering from the built-in provider emulator.`,
    );
    lines.push(`Sample ids${where ? ` to paste into ${where}` : ''}:`);
    const width = Math.max(...facts.samples.map((sample) => sample.taskId.length));
    let previous: string | null = null;
    for (const sample of facts.samples) {
      const label = previous === sample.kind ? '' : (FIELD_BY_KIND.get(sample.kind) ?? '');
      previous = sample.kind;
      lines.push(`  ${label.padEnd(14)}${sample.taskId.padEnd(width)}  ${sample.outcome}`);
    }
    lines.push('');
  }
  // Sandbox and the dashboard are named only where they are served (EXPOSE_SCHEMA, DASHBOARD).
  lines.push(
    `media-task-subgraph ready at ${facts.url}${facts.sandbox ? ' (open it in a browser for Apollo Sandbox)' : ''}`,
  );
  lines.push(`  GraphQL    POST ${facts.url}graphql`);
  if (facts.dashboard)
    lines.push(
      `  Dashboard  ${facts.url}dashboard  (works offline; Sandbox loads from Apollo's CDN and needs the internet)`,
    );
  if (facts.emulatorControls) {
    const controls = facts.emulatorControls;
    lines.push(`  Emulator   ${controls}  (controls: docs/emulator.md)`);
    lines.push(
      `    POST ${controls}tasks/<taskId>/script   {"provider":"tencent-mps"|"alibaba-ice"}   drives a task through its states`,
    );
    lines.push(`    POST ${controls}tasks/<taskId>/advance  {"provider":...}   one step on; the next look shows it`);
    lines.push(`    POST ${controls}faults  DELETE ${controls}faults  GET ${controls}calls  GET ${controls}seed`);
  }
  return `${lines.join('\n')}\n`;
}
