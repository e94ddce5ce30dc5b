/**
 * What the server needs from each emulated provider. The server owns sockets, the call
 * log and fault timing; a provider owns its wire rules, auth and payloads.
 */
import type { CredentialBook } from './credentials.js';
import type { NonceLedger } from './nonce-ledger.js';
import type { TaskStore } from './task-store.js';
import type { Fault, ProviderId } from './types.js';
import type { EmulatorResponse, ReceivedRequest } from './wire.js';

export interface HandlerContext {
  readonly credentials: CredentialBook;
  readonly tasks: TaskStore;
  readonly nonces: NonceLedger;
  /** Server time for this request, epoch ms (from EmulatorOptions.now). */
  readonly nowMs: number;
  /** Output URLs in an answer are signed for this long from nowMs. */
  readonly signedUrlLifetimeSeconds: number;
  readonly newRequestId: () => string;
}

/** Faults whose answer is written in the provider's own error format. */
export type ProviderFaultKind = 'throttle' | 'internal-error';

export interface ProviderHandler {
  readonly provider: ProviderId;
  /** Action and TaskId as the call log and fault targeting see them: best effort, before any validation. */
  identify(request: ReceivedRequest): { action: string; taskId: string | null };
  answer(request: ReceivedRequest, context: HandlerContext): EmulatorResponse;
  faultAnswer(
    kind: ProviderFaultKind,
    fault: Fault,
    request: ReceivedRequest,
    context: HandlerContext,
  ): EmulatorResponse;
}
