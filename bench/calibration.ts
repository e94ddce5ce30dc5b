/**
 * Is this machine quiet enough for the ratios to mean anything? Goals 2 and 4 are ratios
 * between processes measured side by side, and load from other processes on a 2-core
 * machine skews them (it takes CPU from whichever side is running, unevenly). So the bench
 * measures its own ceiling, the node:http reference (node-http-reference.ts) under the
 * throughput load, several times over the run: at the start, between measurements and at the
 * end. On a quiet machine those rounds agree; when they spread by more than `maxSpread`
 * (10%: quiet runs of this bench agree within a few percent) the run is reported as not
 * comparable instead of judging its ratios.
 */
import { runLoad, type LoadSettings } from './load.js';

export interface CalibrationRound {
  /** Where in the run it was taken, e.g. "start", "after 2". */
  readonly at: string;
  readonly requestsPerSecond: number;
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

export function calibrator(target: { readonly url: string; readonly body: string; readonly expectBody: string }, settings: LoadSettings & { readonly maxSpread: number }): Calibrator {
  const rounds: CalibrationRound[] = [];
  return {
    async round(at) {
      // The reference's first requests run before V8 has compiled its handler: an unmeasured
      // run first, so the first round measures what the later ones do.
      if (rounds.length === 0) await runLoad(target, settings);
      const result = await runLoad(target, settings);
      if (result.failed > 0) throw new Error(`calibration (${at}): ${result.failed} failed requests against the node:http reference`);
      rounds.push({ at, requestsPerSecond: result.requestsPerSecond });
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
