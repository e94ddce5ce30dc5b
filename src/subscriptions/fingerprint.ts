/**
 * Change detection for pollers: two answers are "the same" when their parsed models agree on
 * everything the provider reports, `requestId` (minted per answer) left out. Keys are sorted and
 * the text hashed, so a poller keeps 64 characters per task.
 */
import { createHash } from 'node:crypto';

const PER_CALL_FIELDS = new Set(['requestId']);

function canonical(value: unknown, top: boolean): unknown {
  if (value instanceof Map) {
    return [...value.entries()]
      .map(([key, entry]) => [String(key), canonical(entry, false)])
      .sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
  }
  if (Array.isArray(value)) return value.map((entry) => canonical(entry, false));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      if (top && PER_CALL_FIELDS.has(key)) continue;
      const entry = (value as Record<string, unknown>)[key];
      if (entry !== undefined) out[key] = canonical(entry, false);
    }
    return out;
  }
  return value;
}

/** The same for two models exactly when what the provider reported is the same (its request id aside). */
export function taskFingerprint(task: object): string {
  return createHash('sha256')
    .update(JSON.stringify(canonical(task, true)))
    .digest('hex');
}
