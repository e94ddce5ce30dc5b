/** The emulated platform's contract (controls, call records) and what its answerers share. */
import type { IssuedCredentials, IssuedRecord } from './issued-credentials.js';
import type { ProviderId } from './types.js';
import type { EmulatorResponse } from './wire.js';

export type PlatformService = 'sts' | 'credentials-uri' | 'metadata';
export const PLATFORM_SERVICES: readonly PlatformService[] = ['sts', 'credentials-uri', 'metadata'];

export const CREDENTIALS_URI_PATH = '/platform/alibaba/credentials';
export const PLATFORM_CONTROL_PREFIX = '/__emulator/platform/';
export const ECS_ROLE_NAME = 'EmulatorEcsRole';
export const CVM_ROLE_NAME = 'EmulatorCvmRole';
export const DEFAULT_LIFETIME_MS = 3_600_000;

export interface PlatformCall {
  readonly service: PlatformService;
  readonly provider: ProviderId;
  /** AssumeRoleWithOIDC, AssumeRoleWithWebIdentity, GetCredentials, MetadataToken, RoleName, RoleCredentials. */
  readonly action: string;
  readonly outcome: string;
  /** The OIDC token STS was shown, so a test can check the rotated file was read. */
  readonly oidcToken?: string;
  readonly receivedAt: number;
}

export interface PlatformFilter {
  readonly service?: PlatformService;
  readonly provider?: ProviderId;
  readonly action?: string;
}

export interface PlatformControls {
  /** The lifetime of every credential issued from now on. */
  setLifetime(ms: number): void;
  /** STS accepts only these OIDC tokens; null (the default) accepts any non-empty one. */
  acceptOidcTokens(tokens: readonly string[] | null): void;
  /** While down, the service answers 503 in its own format. */
  setDown(service: PlatformService, down: boolean): void;
  /** Revokes what was issued for `provider` so far (or only `id`): its provider calls are then refused. Returns how many. */
  revoke(provider: ProviderId, id?: string): number;
  issued(provider?: ProviderId): IssuedRecord[];
  calls(filter?: PlatformFilter): PlatformCall[];
  callCount(filter?: PlatformFilter): number;
  resetCalls(): void;
}

/** What one request's answerer sees of the platform. */
export interface PlatformState {
  readonly issued: IssuedCredentials;
  readonly down: ReadonlySet<PlatformService>;
  readonly lifetimeMs: number;
  readonly oidcTokens: ReadonlySet<string> | null;
  /** IMDSv2 session tokens handed out. */
  readonly imdsTokens: Set<string>;
  readonly nowMs: number;
  /** Logs the call and hands the response back. */
  record(call: Omit<PlatformCall, 'receivedAt'>, response: EmulatorResponse): EmulatorResponse;
}

export function alibabaFields(c: {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
}): Record<string, string> {
  return { AccessKeyId: c.accessKeyId, AccessKeySecret: c.accessKeySecret, SecurityToken: c.securityToken };
}

export function tencentFields(c: { secretId: string; secretKey: string; token: string }): Record<string, string> {
  return { TmpSecretId: c.secretId, TmpSecretKey: c.secretKey, Token: c.token };
}

/** Expiries travel without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
