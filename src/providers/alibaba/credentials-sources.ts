/**
 * Where an Alibaba Cloud workload gets its credential, with the variable names of the
 * vendor's own SDK (docs/credentials.md): ACK RRSA (OIDC), a credentials URI, the
 * credentials file, the ECS RAM role from instance metadata. Each fetch is one attempt.
 */
import type { AlibabaCredentials } from '../../config/index.js';
import {
  REQUESTED_DURATION_SECONDS,
  ROLE_SESSION_NAME,
  describeUrl,
  errorCode,
  parseExpiry,
  readTokenFile,
  requestJson,
  stringField,
  type SourceDeps,
} from '../credentials/fetch-deps.js';
import { parseIni } from '../credentials/ini.js';
import { CredentialSourceError, type CredentialSource, type IssuedCredential } from '../credentials/source.js';
import { rfc3986Encode } from './signer.js';

const PROVIDER = 'alibaba-ice';
export const ALIBABA_STS_DEFAULT_HOST = 'sts.aliyuncs.com';
export const ALIBABA_STS_VERSION = '2015-04-01';
export const ECS_METADATA_ORIGIN = 'http://100.100.100.200';
/** IMDSv2 session token lifetime asked for; it only guards the next two reads. */
const IMDS_TOKEN_TTL_SECONDS = 300;

/** Provider codes are identifiers; anything else in that field is not repeated. */
const safeCode = (code: string | undefined): string =>
  code !== undefined && /^[A-Za-z0-9._-]{1,100}$/.test(code) ? ` ${code}` : '';

/** The `{AccessKeyId, AccessKeySecret, SecurityToken, Expiration}` shape STS, the URI and IMDS share. */
function temporaryCredential(
  record: Record<string, unknown> | undefined,
  what: string,
): IssuedCredential<AlibabaCredentials> {
  const accessKeyId = stringField(record, 'AccessKeyId');
  const accessKeySecret = stringField(record, 'AccessKeySecret');
  const securityToken = stringField(record, 'SecurityToken');
  const expiresAtMs = parseExpiry(record?.['Expiration']);
  if (
    accessKeyId === undefined ||
    accessKeySecret === undefined ||
    securityToken === undefined ||
    expiresAtMs === undefined
  ) {
    throw new CredentialSourceError(
      `${what} answered without AccessKeyId, AccessKeySecret, SecurityToken and Expiration`,
    );
  }
  return { value: { accessKeyId, accessKeySecret, securityToken }, expiresAtMs };
}

export interface RrsaSettings {
  readonly roleArn: string;
  readonly oidcProviderArn: string;
  readonly oidcTokenFile: string;
  /** Full URL ending in `/` (see endpointUrl). */
  readonly stsEndpoint: string;
}

/** ACK RRSA: the pod's OIDC token (re-read every time: the platform rotates it) for a role, via anonymous AssumeRoleWithOIDC. */
export function rrsaSource(settings: RrsaSettings, deps: SourceDeps): CredentialSource<AlibabaCredentials> {
  const what = `STS AssumeRoleWithOIDC at ${describeUrl(settings.stsEndpoint)}`;
  return {
    name: 'rrsa-oidc',
    identity: settings.roleArn,
    async fetch() {
      const token = await readTokenFile(deps, settings.oidcTokenFile);
      const query = new URLSearchParams({
        Version: ALIBABA_STS_VERSION,
        Action: 'AssumeRoleWithOIDC',
        Format: 'JSON',
        Timestamp: new Date(deps.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
      const form = Object.entries({
        OIDCProviderArn: settings.oidcProviderArn,
        OIDCToken: token,
        RoleArn: settings.roleArn,
        RoleSessionName: ROLE_SESSION_NAME,
        DurationSeconds: String(REQUESTED_DURATION_SECONDS),
      })
        .map(([name, value]) => `${rfc3986Encode(name)}=${rfc3986Encode(value)}`)
        .join('&');
      const reply = await requestJson(deps, PROVIDER, what, {
        url: `${settings.stsEndpoint}?${query.toString()}`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: Buffer.from(form, 'utf8'),
      });
      if (reply.status !== 200) {
        throw new CredentialSourceError(
          `${what} answered HTTP ${reply.status}${safeCode(stringField(reply.body, 'Code'))}`,
        );
      }
      const credentials = reply.body?.['Credentials'];
      return temporaryCredential(
        typeof credentials === 'object' && credentials !== null ? (credentials as Record<string, unknown>) : undefined,
        what,
      );
    },
  };
}

/** Host and path: the query of a credentials URI may carry a token. */
function identityOfUri(uri: string): string {
  try {
    const url = new URL(uri);
    return `${url.host}${url.pathname}`;
  } catch {
    return 'credentials-uri';
  }
}

/** ALIBABA_CLOUD_CREDENTIALS_URI: a GET answering `{Code: "Success", AccessKeyId, ...}` (a sidecar, a vault agent). */
export function credentialsUriSource(uri: string, deps: SourceDeps): CredentialSource<AlibabaCredentials> {
  const what = `the credentials URI at ${describeUrl(uri)}`;
  return {
    name: 'credentials-uri',
    identity: identityOfUri(uri),
    async fetch() {
      const reply = await requestJson(deps, PROVIDER, what, {
        url: uri,
        method: 'GET',
        headers: { accept: 'application/json' },
      });
      if (reply.status !== 200) throw new CredentialSourceError(`${what} answered HTTP ${reply.status}`);
      const code = stringField(reply.body, 'Code');
      if (code !== 'Success')
        throw new CredentialSourceError(`${what} answered Code${safeCode(code) || ' (none)'}, not Success`);
      return temporaryCredential(reply.body, what);
    },
  };
}

export interface CredentialsFileSettings {
  readonly path: string;
  /** ALIBABA_CLOUD_PROFILE, default `default`. */
  readonly profile: string;
  /** How long a read stays good before the file is read again (a secret manager may have rotated it). */
  readonly recheckMs: number;
}

/** `~/.alibabacloud/credentials`: an `access_key` profile (or `sts`, with its token), read again every `recheckMs`. */
export function credentialsFileSource(
  settings: CredentialsFileSettings,
  deps: SourceDeps,
): CredentialSource<AlibabaCredentials> {
  const where = `the credentials file ${settings.path} [${settings.profile}]`;
  return {
    name: 'credentials-file',
    identity: `${settings.path} [${settings.profile}]`,
    async fetch() {
      let text: string;
      try {
        text = await deps.readFile(settings.path);
      } catch (error) {
        throw new CredentialSourceError(`cannot read the credentials file ${settings.path}: ${errorCode(error)}`);
      }
      const profile = parseIni(text).get(settings.profile);
      if (!profile) throw new CredentialSourceError(`${where}: no such profile`);
      const type = profile.get('type') ?? 'access_key';
      if (type !== 'access_key' && type !== 'sts')
        throw new CredentialSourceError(`${where}: type ${type} is not supported (access_key or sts)`);
      const accessKeyId = profile.get('access_key_id');
      const accessKeySecret = profile.get('access_key_secret');
      const securityToken = profile.get('security_token');
      if (!accessKeyId || !accessKeySecret)
        throw new CredentialSourceError(`${where}: access_key_id and access_key_secret are required`);
      if (type === 'sts' && !securityToken)
        throw new CredentialSourceError(`${where}: type sts requires security_token`);
      return {
        value: { accessKeyId, accessKeySecret, ...(type === 'sts' && securityToken ? { securityToken } : {}) },
        recheckAtMs: deps.now() + settings.recheckMs,
      };
    },
  };
}

export interface EcsRoleSettings {
  /** ALIBABA_CLOUD_ECS_METADATA; null asks the metadata service for the instance's role. */
  readonly roleName: string | null;
  /** http://100.100.100.200 on ECS; injectable for tests. */
  readonly origin: string;
  /** ALIBABA_CLOUD_IMDSV1_DISABLED: without an IMDSv2 token, fail instead of reading unguarded. */
  readonly imdsv1Disabled: boolean;
}

/** The ECS RAM role: an IMDSv2 session token first, then the role's temporary credential. */
export function ecsRamRoleSource(settings: EcsRoleSettings, deps: SourceDeps): CredentialSource<AlibabaCredentials> {
  const base = `${settings.origin.replace(/\/+$/, '')}/latest`;
  const what = `the ECS metadata service at ${describeUrl(settings.origin)}`;
  return {
    name: 'ecs-ram-role',
    identity: `ecs-ram-role ${settings.roleName ?? 'auto'}`,
    async fetch() {
      const tokenReply = await requestJson(deps, PROVIDER, what, {
        url: `${base}/api/token`,
        method: 'PUT',
        headers: { 'x-aliyun-ecs-metadata-token-ttl-seconds': String(IMDS_TOKEN_TTL_SECONDS) },
      }).catch((error: unknown) => {
        if (settings.imdsv1Disabled) throw error;
        return null;
      });
      const imdsToken = tokenReply?.status === 200 && tokenReply.text.trim() !== '' ? tokenReply.text.trim() : null;
      if (imdsToken === null && settings.imdsv1Disabled) {
        throw new CredentialSourceError(
          `${what}: no IMDSv2 token (HTTP ${tokenReply?.status ?? 'none'}) and IMDSv1 is disabled`,
        );
      }
      const headers: Record<string, string> = imdsToken === null ? {} : { 'x-aliyun-ecs-metadata-token': imdsToken };
      let roleName = settings.roleName;
      if (roleName === null) {
        const roles = await requestJson(deps, PROVIDER, what, {
          url: `${base}/meta-data/ram/security-credentials/`,
          method: 'GET',
          headers,
        });
        roleName = roles.status === 200 ? (roles.text.split(/\s+/).find((line) => line !== '') ?? null) : null;
        if (roleName === null)
          throw new CredentialSourceError(`${what}: no RAM role attached to this instance (HTTP ${roles.status})`);
      }
      const reply = await requestJson(deps, PROVIDER, what, {
        url: `${base}/meta-data/ram/security-credentials/${encodeURIComponent(roleName)}`,
        method: 'GET',
        headers,
      });
      if (reply.status !== 200)
        throw new CredentialSourceError(`${what} answered HTTP ${reply.status} for role ${roleName}`);
      const code = stringField(reply.body, 'Code');
      if (code !== 'Success')
        throw new CredentialSourceError(`${what} answered Code${safeCode(code) || ' (none)'} for role ${roleName}`);
      return temporaryCredential(reply.body, what);
    },
  };
}
