/**
 * What the standalone emulator prints: everything a client needs to talk to it (both halves
 * of each credential, the variables that point a subgraph at it), the sample tasks and what
 * they show, and its control routes with the fault kinds. These keys are public, fake ones.
 */
import { PROVIDER_LIST } from '../providers/registry.js';
import { CONTROL_PREFIX } from './control.js';
import { subgraphEnvFor } from './credentials.js';
import { FAULT_KINDS } from './faults.js';
import { sampleTasks } from './samples.js';

export function emulatorBanner(url: string): string {
  const env = subgraphEnvFor(url);
  const assignments = (vars: Record<string, string>): string =>
    Object.entries(vars)
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
  const control = `${url}${CONTROL_PREFIX}`;
  const samples = sampleTasks();
  const title = new Map(PROVIDER_LIST.map((provider) => [provider.sampleKind, provider.title]));
  const width = Math.max(...samples.map((sample) => sample.taskId.length));
  return [
    `media-task provider emulator listening on ${url}`,
    '',
    'Point a subgraph at it with:',
    `  ${assignments(env.tencent)} \\`,
    `  ${assignments(env.alibaba)} \\`,
    '  npm start',
    '',
    'Sample tasks (every seeded id by name: GET ' + `${control}seed):`,
    ...samples.map(
      (sample) => `  ${(title.get(sample.kind) ?? '').padEnd(12)}${sample.taskId.padEnd(width)}  ${sample.outcome}`,
    ),
    '',
    'Controls:',
    `  GET    ${control}health | ${control}seed`,
    `  POST   ${control}faults  {"target"?:{"provider"?:"tencent-mps"|"alibaba-ice","taskId"?},"fault":{"kind","times"?,"latencyMs"?,"retryAfterSeconds"?}}`,
    `         kinds: ${FAULT_KINDS.join(', ')}`,
    `  DELETE ${control}faults`,
    `  GET    ${control}calls?provider=&action=&taskId=    DELETE ${control}calls`,
    `  POST   ${control}tasks/<taskId>/script   {"provider":"tencent-mps"|"alibaba-ice","steps"?:[...],"advanceEveryCalls"?:n}`,
    `  POST   ${control}tasks/<taskId>/advance  {"provider"}   one step on`,
    '',
  ].join('\n');
}
