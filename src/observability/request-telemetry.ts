/**
 * What one GraphQL request cost upstream, for its log line: made per request by the context
 * builder, handed down as the `tally` of every lookup (TaskCall), counted on by each src/upstream/
 * layer and read by the logging plugin. Passed explicitly rather than through async-context
 * storage (docs/architecture.md, "Design notes").
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
