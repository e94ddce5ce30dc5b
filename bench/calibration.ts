/**
 * Is this machine quiet enough for the ratios to mean anything? Goals 2 and 4 are ratios
 * between processes measured side by side, and load from other processes on a 2-core
 * machine skews them (it takes CPU from whichever side is running, unevenly). So the bench
 * measures its own ceiling, the node:http reference (node-http-reference.ts) under the
 * throughput load, several times over the run: at the start, between measurements and at the
 * end. On a quiet machine those rounds agree; when they spread by more than `maxSpread`
 * (10%) the run is reported as not comparable instead of judging its ratios.
 *
 * Each round first waits for the machine to go quiet (quiet.ts), so that what the run's own
 * previous phase leaves behind (a large subgraph exiting) is not read as someone else's load,
 * and runs its load generator in a fresh process (load.ts) on the cores the bench gives it.
 * A round that had to give up waiting says so: that is load the bench did not make. A round's
 * figure is the median of RUNS_PER_ROUND runs.
 */
import { runLoad, type LoadSettings } from './load.js';
import { untilQuiet } from './quiet.js';
import { median } from './stats.js';

/**
 * Runs per round, of which the median counts. Single 5 s runs against the same pinned reference
 * on an idle machine read between 43k and 51k req/s (the VM's own jitter, one run in eight far
 * lower); the median of three keeps one such run from calling a quiet machine busy.
 */
const RUNS_PER_ROUND = 3;

export interface CalibrationRound {
  /** Where in the run it was taken, e.g. "start", "after 2". */
  readonly at: string;
  /** The median of the round's runs. */
  readonly requestsPerSecond: number;
  readonly runs: readonly number[];
  /** How long the round waited for the machine to go quiet, and how busy it was then (0-1). */
  readonly settleMs: number;
  readonly busyBefore: number;
}

export interface CalibrationSummary {
  readonly settings: LoadSettings & { readonly maxSpread: number };
  readonly rounds: CalibrationRound[];
  /** (fastest - slowest) / fastest over the rounds. */
  readonly spread: number;
  /** spread > maxSpread: the ratios of this run are not comparable. */
  readonly busy: boolean;
}

export interface Calibrator {
  /** One round against the reference, labelled with where in the run it was taken. */
  round(at: string): Promise<void>;
  summary(): CalibrationSummary;
}

export function calibrator(
  target: { readonly url: string; readonly body: string; readonly expectBody: string },
  settings: LoadSettings & { readonly maxSpread: number },
): Calibrator {
  const rounds: CalibrationRound[] = [];
  return {
    async round(at) {
      const quiet = await untilQuiet();
      // The reference's first requests run before V8 has compiled its handler: an unmeasured
      // run first, so the first round measures what the later ones do.
      if (rounds.length === 0) await runLoad(target, settings);
      const runs: number[] = [];
      for (let run = 0; run < RUNS_PER_ROUND; run += 1) {
        const result = await runLoad(target, settings);
        if (result.failed > 0)
          throw new Error(`calibration (${at}): ${result.failed} failed requests against the node:http reference`);
        runs.push(result.requestsPerSecond);
      }
      rounds.push({ at, requestsPerSecond: median(runs), runs, settleMs: quiet.waitedMs, busyBefore: quiet.busy });
    },
    summary() {
      const values = rounds.map((each) => each.requestsPerSecond);
      const fastest = Math.max(...values);
      const spread = values.length < 2 ? Number.NaN : (fastest - Math.min(...values)) / fastest;
      // Fewer than two rounds cannot show a busy machine; such a run is not called comparable either.
      return { settings, rounds, spread, busy: !(spread <= settings.maxSpread) };
    },
  };
}
