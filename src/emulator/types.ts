/**
 * The emulator's public contract. Other modules (e2e tests, the dev banner, the
 * clients' tests) code against these types, so they change only by addition.
 */
import type { ProviderName } from '../providers/errors.js';
import type { ImageTaskSeed, JsonObject, WorkflowTaskSeed } from './json.js';
import type { PlatformControls } from './platform.js';
import type { ScriptOptions, ScriptPosition } from './task-scripts.js';

/** The subgraph's own provider names: the call log and fault targets say what its errors and metrics say. */
export type ProviderId = ProviderName;

export interface TencentCredential {
  readonly secretId: string;
  readonly secretKey: string;
  /** Present for temporary (STS/CAM role) credentials: the request must then carry it as X-TC-Token. */
  readonly token?: string;
  /** Issued by the emulated platform: refused (AuthFailure.TokenFailure) from this instant, epoch ms. */
  readonly expiresAtMs?: number;
  readonly revoked?: boolean;
}

export interface AlibabaCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** Present for STS credentials: the request must then carry it as x-acs-security-token. */
  readonly securityToken?: string;
  /** Issued by the emulated platform: refused (InvalidSecurityToken.Expired) from this instant, epoch ms. */
  readonly expiresAtMs?: number;
  readonly revoked?: boolean;
}

export interface EmulatorOptions {
  /** Default 0: the OS picks a free port, so parallel test files never collide. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Epoch ms; the clock that signature windows are checked against. Default Date.now. */
  now?: () => number;
  /** How long output URLs stay valid after an answer signs them (DEFAULT_SIGNED_URL_LIFETIME_SECONDS). */
  signedUrlLifetimeSeconds?: number;
  /** Replace the accepted credentials; when absent only EMULATOR_CREDENTIALS.tencent is accepted. */
  tencentCredentials?: Array<{ secretId: string; secretKey: string; token?: string }>;
  /** Replace the accepted credentials; when absent only EMULATOR_CREDENTIALS.alibaba is accepted. */
  alibabaCredentials?: Array<{ accessKeyId: string; accessKeySecret: string; securityToken?: string }>;
}

export type FaultKind =
  'latency' | 'throttle' | 'internal-error' | 'unavailable' | 'non-json' | 'drop-connection' | 'hang';

export interface Fault {
  kind: FaultKind;
  /** For `latency`: how long to wait before answering normally (default DEFAULT_LATENCY_MS). */
  latencyMs?: number;
  /** Only the first N matching attempts, then the fault is spent. Absent: every attempt. */
  times?: number;
  /** Sent as Retry-After on `throttle` (Alibaba) and `unavailable` answers. */
  retryAfterSeconds?: number;
}

/** `{}` targets every request; `provider` and/or `taskId` narrow it. */
export interface FaultTarget {
  provider?: ProviderId;
  taskId?: string;
}

export interface CallRecord {
  provider: ProviderId;
  /** The action header as received (X-TC-Action / x-acs-action), '' when absent. */
  action: string;
  /** The TaskId the request asked for, null when it carried none (or not as a string). */
  taskId: string | null;
  method: string;
  /** Path and query as on the request line. */
  url: string;
  /** Lowercase names, as received. */
  headers: Record<string, string>;
  body: string;
  /**
   * Epoch ms when the request arrived, by the emulator's clock: the provider's clock, which is
   * the one a quota of N calls in any one-second window is counted by.
   */
  receivedAt: number;
  /** 'ok' | provider error code | fault kind ('pending' while a request is still being answered). */
  outcome: string;
}

export interface CallFilter {
  provider?: ProviderId;
  action?: string;
  taskId?: string;
}

export interface RunningEmulator {
  /** http://<host>:<port>; both providers on one server, routed by X-TC-Action vs x-acs-action. */
  url: string;
  /** The emulated platform: STS, the credentials URI and instance metadata (src/emulator/platform.ts). */
  readonly platform: PlatformControls;
  injectFault(target: FaultTarget, fault: Fault): void;
  clearFaults(): void;
  /** Every matching call since the last reset (counts outlive the window of full records). */
  callCount(filter?: CallFilter): number;
  /** The most recent calls in full, oldest first: at most CALL_LOG_WINDOW of them (src/emulator/call-log.ts). */
  calls(): readonly CallRecord[];
  resetCalls(): void;
  /** Add or replace a Tencent task: the fields of `Response` (RequestId is added per answer). */
  putImageTask(taskId: string, response: ImageTaskSeed): void;
  /** Add or replace an Alibaba task: the `WorkflowTask` object (RequestId is added per answer). */
  putWorkflowTask(taskId: string, workflowTask: WorkflowTaskSeed): void;
  /**
   * Makes a task answer `steps` in order (default: the provider's built-in progression,
   * src/emulator/task-scripts.ts), starting at the first; it moves on with advanceTask, or by
   * itself every `advanceEveryCalls` answers.
   */
  scriptTask(
    provider: ProviderId,
    taskId: string,
    steps?: readonly JsonObject[],
    options?: ScriptOptions,
  ): ScriptPosition;
  /** One step on (staying at the last); null when the task has no script. */
  advanceTask(provider: ProviderId, taskId: string): ScriptPosition | null;
  /**
   * Called after a control changes what a task answers (script, advance, put), so an in-process
   * subgraph can drop what it cached of it; returns a function that stops the calls.
   */
  onTaskChange(listener: (provider: ProviderId, taskId: string) => void): () => void;
  /** Closes keep-alive sockets, pending latency timers and hung requests too, so test runners exit. */
  close(): Promise<void>;
  /** `url` + the control prefix: where the control routes (docs/emulator.md) start. */
  controlsUrl: string;
}
