/**
 * Bounds on the JSON sent next to the document (`variables`, `extensions`), measured by one
 * iterative walk with a budget that stops at the first bound passed, before anything that walks
 * values recursively (Apollo's response cache key, graphql-js input coercion) can overflow the stack.
 */

export interface InputBounds {
  /** Deepest nesting of objects and arrays, the top-level object counted as 1. */
  readonly maxDepth: number;
  /** Values of any kind (objects, arrays, scalars), the top-level one included. */
  readonly maxValues: number;
}

/** Which bound a value passed; null when within both. */
export type InputBoundExceeded = { readonly limit: 'depth' } | { readonly limit: 'values' } | null;

export function exceededBound(value: unknown, bounds: InputBounds): InputBoundExceeded {
  // Explicit stack of (value, depth of the container holding it + 1) instead of recursion.
  const pending: Array<{ readonly value: unknown; readonly depth: number }> = [{ value, depth: 1 }];
  let values = 0;
  while (pending.length > 0) {
    const next = pending.pop()!;
    values += 1;
    if (values > bounds.maxValues) return { limit: 'values' };
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth > bounds.maxDepth) return { limit: 'depth' };
    const children: readonly unknown[] = Array.isArray(next.value) ? next.value : Object.values(next.value);
    // Children are counted when popped; refusing early here keeps `pending` itself bounded.
    if (values + pending.length + children.length > bounds.maxValues) return { limit: 'values' };
    for (const child of children) pending.push({ value: child, depth: next.depth + 1 });
  }
  return null;
}

/** The parts of a GraphQL request this module bounds. */
export const BOUNDED_PARTS = ['variables', 'extensions'] as const;
export type BoundedPart = (typeof BOUNDED_PARTS)[number];

export interface InputRefusal {
  readonly part: BoundedPart;
  readonly limit: 'depth' | 'values';
  readonly message: string;
}

export function refusalMessage(part: BoundedPart, limit: 'depth' | 'values', bounds: InputBounds): string {
  return limit === 'depth'
    ? `\`${part}\` nests deeper than ${bounds.maxDepth} levels; the limit is ${bounds.maxDepth} levels (MAX_INPUT_DEPTH)`
    : `\`${part}\` holds more than ${bounds.maxValues} values; the limit is ${bounds.maxValues} values (MAX_INPUT_VALUES)`;
}

/** Checks each part present, first refusal wins. Parts absent (undefined) pass. */
export function checkInput(parts: Partial<Record<BoundedPart, unknown>>, bounds: InputBounds): InputRefusal | null {
  for (const part of BOUNDED_PARTS) {
    const value = parts[part];
    if (value === undefined) continue;
    const exceeded = exceededBound(value, bounds);
    if (exceeded) return { part, limit: exceeded.limit, message: refusalMessage(part, exceeded.limit, bounds) };
  }
  return null;
}
