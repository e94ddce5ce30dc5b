/**
 * Which cores the ratio measurements run on. Goals 2 and 4 compare servers measured one after
 * another under the same load generator. Left to the scheduler on a 2-core machine, the server
 * and the load generator sometimes share a core and sometimes do not, and the same server's
 * throughput moved by up to 2× between runs a few seconds apart. So where `taskset`
 * (util-linux) and two or more cores are there, the load generator runs on the first core and
 * the server under test on the others: every server measured against the same one core
 * and the same load generator, which is the comparison the goals mean. Elsewhere nothing is
 * pinned, and the report says so.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export interface CorePlan {
  /** taskset's cpu list for the load generator (and the servers' log readers). */
  readonly loadGenerator: string;
  /** taskset's cpu list for the server under test. */
  readonly server: string;
  /** Every core, to undo pinning. */
  readonly all: string;
}

export function corePlan(): CorePlan | null {
  const cpus = os.availableParallelism();
  if (cpus < 2 || spawnSync('taskset', ['-c', '0', 'true']).status !== 0) return null;
  return { loadGenerator: '0', server: cpus === 2 ? '1' : `1-${cpus - 1}`, all: `0-${cpus - 1}` };
}

/** Moves a running process, every thread of it, onto `cpus`. */
export function pinProcess(pid: number, cpus: string): void {
  const result = spawnSync('taskset', ['-a', '-pc', cpus, String(pid)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`taskset -a -pc ${cpus} ${pid} failed: ${result.stderr}`);
}

/**
 * Pins this process (the bench's client and emulator) to the load generator's core, as the
 * bench does for measurements 1-4; the plan, or null where nothing can be pinned.
 */
export function pinAsLoadGenerator(): CorePlan | null {
  const plan = corePlan();
  if (plan) pinProcess(process.pid, plan.loadGenerator);
  return plan;
}

/** A command run on `cpus` (taskset execs it: the pid is the command's own). */
export function onCores(
  cpus: string | undefined,
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  return cpus === undefined
    ? { command, args: [...args] }
    : { command: 'taskset', args: ['-c', cpus, command, ...args] };
}

export function describePlan(plan: CorePlan | null): string {
  return plan === null
    ? 'not pinned (taskset or a second core missing)'
    : `load generator on core ${plan.loadGenerator}, server under test on core ${plan.server}`;
}
