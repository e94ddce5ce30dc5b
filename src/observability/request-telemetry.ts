/**
 * What one GraphQL request cost upstream, for its log line. The upstream wrappers are
 * shared by every request and report through UpstreamEvents, which carry no request;
 * AsyncLocalStorage finds the request whose async chain made the call. DataLoader
 * batches run in the async context of the `load` that scheduled them, and loaders are
 * per request, so every call lands on the request that caused it. (Rate-limiter waits are
 * not counted per request: the limiter releases waiters from its own timer, whose async
 * context belongs to whichever request armed it. They are in the metrics.)
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

export interface RequestTelemetry {
  readonly requestId: string;
  /** Provider calls actually sent (each retry attempt counts). */
  upstreamCalls: number;
  cacheHits: number;
  cacheMisses: number;
  /** Lookups that joined a call already in flight instead of making their own. */
  inFlightShared: number;
  retries: number;
}

export function newRequestTelemetry(requestId: string): RequestTelemetry {
  return { requestId, upstreamCalls: 0, cacheHits: 0, cacheMisses: 0, inFlightShared: 0, retries: 0 };
}

const store = new AsyncLocalStorage<RequestTelemetry>();

/** Runs `fn` (and everything it starts) as part of the request `telemetry` describes. */
export function runWithTelemetry<T>(telemetry: RequestTelemetry, fn: () => T): T {
  return store.run(telemetry, fn);
}

/** The telemetry of the request whose async chain is running, or undefined outside one (start-up, tests). */
export function currentTelemetry(): RequestTelemetry | undefined {
  return store.getStore();
}

/**
 * Letters, digits and `. _ : @ / + = -`, at most 128: enough for UUIDs, ULIDs, trace ids
 * and router-generated ids, and nothing that could split a log line or a header.
 */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's `x-request-id` when it is usable, otherwise a fresh UUID. */
export function requestIdFrom(header: string | undefined, generate: () => string = randomUUID): string {
  return header !== undefined && REQUEST_ID_PATTERN.test(header) ? header : generate();
}
