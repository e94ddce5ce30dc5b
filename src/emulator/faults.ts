/**
 * Injected failures. A fault answers instead of the provider logic, the way a
 * gateway or flow control would; the most specific target wins (task > provider > global)
 * and, among equals, the earliest injected one that is not spent, so tests can script
 * sequences like "throttle once, then fail once, then succeed".
 */
import type { Fault, FaultKind, FaultTarget, ProviderId } from './types.js';

export const FAULT_KINDS: readonly FaultKind[] = [
  'latency',
  'throttle',
  'internal-error',
  'unavailable',
  'non-json',
  'drop-connection',
  'hang',
];

export const DEFAULT_LATENCY_MS = 250;

interface ActiveFault {
  readonly target: FaultTarget;
  readonly fault: Fault;
  /** Attempts still to fault; Infinity when `times` was not given. */
  remaining: number;
}

export class FaultRegistry {
  private faults: ActiveFault[] = [];

  inject(target: FaultTarget, fault: Fault): void {
    const problem = faultProblem(target, fault);
    if (problem) throw new TypeError(`injectFault: ${problem}`);
    this.faults.push({ target: { ...target }, fault: { ...fault }, remaining: fault.times ?? Infinity });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault to apply to this attempt, consuming one of its `times`; null when none matches. */
  take(provider: ProviderId, taskId: string | null): Fault | null {
    let chosen: ActiveFault | undefined;
    for (const active of this.faults) {
      if (active.remaining <= 0 || !targets(active.target, provider, taskId)) continue;
      if (!chosen || specificity(active.target) > specificity(chosen.target)) chosen = active;
    }
    if (!chosen) return null;
    chosen.remaining -= 1;
    return chosen.fault;
  }
}

function targets(target: FaultTarget, provider: ProviderId, taskId: string | null): boolean {
  return (
    (target.provider === undefined || target.provider === provider) &&
    (target.taskId === undefined || target.taskId === taskId)
  );
}

function specificity(target: FaultTarget): number {
  return (target.taskId === undefined ? 0 : 2) + (target.provider === undefined ? 0 : 1);
}

/** Why a target/fault pair is unusable, or null; shared by injectFault and the HTTP control endpoint. */
export function faultProblem(target: FaultTarget, fault: Fault): string | null {
  if (target.provider !== undefined && target.provider !== 'tencent-mps' && target.provider !== 'alibaba-ice') {
    return `unknown provider ${JSON.stringify(target.provider)}`;
  }
  if (target.taskId !== undefined && typeof target.taskId !== 'string') return 'taskId must be a string';
  if (!FAULT_KINDS.includes(fault.kind)) return `unknown fault kind ${JSON.stringify(fault.kind)}`;
  if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times > 0))
    return 'times must be a positive integer';
  if (fault.latencyMs !== undefined && !(Number.isFinite(fault.latencyMs) && fault.latencyMs >= 0))
    return 'latencyMs must be >= 0';
  if (
    fault.retryAfterSeconds !== undefined &&
    !(Number.isInteger(fault.retryAfterSeconds) && fault.retryAfterSeconds >= 0)
  ) {
    return 'retryAfterSeconds must be a non-negative integer';
  }
  return null;
}
