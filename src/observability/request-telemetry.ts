/**
 * What one GraphQL request cost upstream, for its log line. The request's context
 * builder (server.ts) makes one per request and hands it down as the `tally` of every
 * lookup its loaders make (TaskCall), and each src/upstream/ layer counts what it did
 * on it; the logging plugin reads it when the response goes out.
 *
 * Passed down explicitly, not looked up in async-context storage (node:async_hooks):
 * on Node 20 that storage turns on promise hooks for the whole process, a cost every
 * promise pays (Apollo's, node-fetch's, DataLoader's), while the lookup already
 * carries everything the counts need. (Rate-limiter waits are not in the log line;
 * they are in the metrics.)
 */
import { randomUUID } from 'node:crypto';
import type { CallTally } from '../sources/task-source.js';

export interface RequestTelemetry extends CallTally {
  readonly requestId: string;
}

export function newRequestTelemetry(requestId: string): RequestTelemetry {
  return { requestId, upstreamCalls: 0, cacheHits: 0, cacheMisses: 0, inFlightShared: 0, retries: 0 };
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
