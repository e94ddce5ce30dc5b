/**
 * Waiting for the machine to go quiet before a measurement that is compared with another:
 * a process that has just been stopped can still be exiting (a subgraph with hundreds of MiB of
 * heap takes a moment), and the phase before may have left work behind. Reads the machine's CPU
 * time from /proc/stat (Linux); elsewhere it does not wait.
 */
import { readFileSync } from 'node:fs';
import { sleep } from './processes.js';

export interface Quiet {
  /** How long it waited, ms. */
  readonly waitedMs: number;
  /** Busy share of all cores over the last window (0-1); NaN where /proc/stat cannot be read. */
  readonly busy: number;
}

function cpuTimes(): { readonly total: number; readonly idle: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    return { total: fields.reduce((sum, value) => sum + value, 0), idle: (fields[3] ?? 0) + (fields[4] ?? 0) };
  } catch {
    return null;
  }
}

/** Resolves once a `windowMs` window had at most `maxBusy` of all cores busy, or after `maxWaitMs`. */
export async function untilQuiet(
  options: { readonly maxBusy?: number; readonly windowMs?: number; readonly maxWaitMs?: number } = {},
): Promise<Quiet> {
  const { maxBusy = 0.1, windowMs = 500, maxWaitMs = 20_000 } = options;
  const started = performance.now();
  let busy = Number.NaN;
  for (;;) {
    const before = cpuTimes();
    if (before === null) return { waitedMs: 0, busy };
    await sleep(windowMs);
    const after = cpuTimes()!;
    const total = after.total - before.total;
    busy = total > 0 ? 1 - (after.idle - before.idle) / total : 0;
    const waitedMs = performance.now() - started;
    if (busy <= maxBusy || waitedMs >= maxWaitMs) return { waitedMs, busy };
  }
}
