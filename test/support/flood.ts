/**
 * A flood of `_entities` requests over real HTTP, for the fairness tests: many concurrent
 * requests, each naming many distinct tasks, which can be dropped mid-flight like a client
 * that hangs up. Plus the rate-limit queue length as /metrics reports it.
 */
import { setMaxListeners } from 'node:events';
import fetch from 'node-fetch';
import type { TestStack } from './stack.js';

export const ENTITIES =
  'query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on ImageTask { taskId state } ... on WorkflowTask { taskId state } } }';

export type EntityType = 'ImageTask' | 'WorkflowTask';

/** `count` distinct task ids no provider knows (each costs one provider call, answered NOT_FOUND). */
export function floodIds(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(6, '0')}`);
}

export interface FloodOutcome {
  /** HTTP status, or null for a request the client abandoned. */
  readonly status: number | null;
  /** Errors by extensions.code. */
  readonly codes: Record<string, number>;
}

export interface Flood {
  /** Drops every request still in flight, as a client that hangs up. */
  abort(): void;
  readonly done: Promise<FloodOutcome[]>;
}

export function countCodes(
  errors: ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined,
): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const error of errors ?? []) {
    const code = String(error.extensions?.['code']);
    codes[code] = (codes[code] ?? 0) + 1;
  }
  return codes;
}

/** `requests` concurrent `_entities` requests of `idsPerRequest` distinct ids each. */
export function startFlood(
  stack: TestStack,
  options: {
    readonly requests: number;
    readonly idsPerRequest: number;
    readonly prefix: string;
    readonly typename?: EntityType;
    readonly headers?: Record<string, string>;
  },
): Flood {
  const controller = new AbortController();
  // One signal for every request of the flood, each of which listens to it.
  setMaxListeners(0, controller.signal);
  const typename = options.typename ?? 'ImageTask';
  const one = async (index: number): Promise<FloodOutcome> => {
    const representations = floodIds(`${options.prefix}-${index}`, options.idsPerRequest).map((taskId) => ({
      __typename: typename,
      taskId,
    }));
    try {
      const response = await fetch(stack.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify({ query: ENTITIES, variables: { representations } }),
        signal: controller.signal,
      });
      const body = (await response.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
      return { status: response.status, codes: countCodes(body.errors) };
    } catch (error) {
      if (controller.signal.aborted) return { status: null, codes: {} };
      throw error;
    }
  };
  return {
    abort: () => controller.abort(),
    done: Promise.all(Array.from({ length: options.requests }, (_, index) => one(index))),
  };
}

/** `upstream_rate_limiter_queue_length` of `provider`, read from GET /metrics. */
export async function queueLength(
  stack: TestStack,
  provider: 'tencent-mps' | 'alibaba-ice',
  headers: Record<string, string> = {},
): Promise<number> {
  const { text } = await stack.request('/metrics', { headers });
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`upstream_rate_limiter_queue_length{provider="${provider}"}`));
  if (line === undefined) throw new Error(`no queue length for ${provider} in /metrics`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** `upstream_rate_limiter_rejected_total` of `provider`: calls refused (or evicted) because the queue was full. */
export async function rejectedTotal(
  stack: TestStack,
  provider: 'tencent-mps' | 'alibaba-ice',
  headers: Record<string, string> = {},
): Promise<number> {
  const { text } = await stack.request('/metrics', { headers });
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`upstream_rate_limiter_rejected_total{provider="${provider}"}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Polls `probe` until it holds; fails after `attempts` polls `intervalMs` apart (a bound on the wait, not a measurement). */
export async function eventually(
  probe: () => Promise<boolean>,
  what: string,
  attempts = 100,
  intervalMs = 50,
): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`still not true after ${attempts} polls: ${what}`);
}
