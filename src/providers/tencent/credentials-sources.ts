/**
 * Where a Tencent Cloud workload gets its credential, with the variable names of the
 * vendor's SDK and TKE (docs/credentials.md): TKE workload identity (OIDC), the
 * credentials file, the CVM role from instance metadata. Each fetch is one attempt.
 */
import type { TencentCredentials } from '../../config/index.js';
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
import { isRecord } from '../http.js';

const PROVIDER = 'tencent-mps';
export const TENCENT_STS_DEFAULT_HOST = 'sts.tencentcloudapi.com';
export const TENCENT_STS_VERSION = '2018-08-13';
export const CVM_METADATA_ORIGIN = 'http://metadata.tencentyun.com';

const safeCode = (code: unknown): string =>
  typeof code === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(code) ? ` ${code}` : '';

/** `{TmpSecretId, TmpSecretKey, Token}` with `ExpiredTime` (unix seconds) or `Expiration` (ISO), as STS and CVM answer. */
function temporaryCredential(
  credentials: Record<string, unknown> | undefined,
  expiry: Record<string, unknown> | undefined,
  what: string,
): IssuedCredential<TencentCredentials> {
  const secretId = stringField(credentials, 'TmpSecretId');
  const secretKey = stringField(credentials, 'TmpSecretKey');
  const sessionToken = stringField(credentials, 'Token');
  const expiresAtMs = parseExpiry(expiry?.['Expiration'], expiry?.['ExpiredTime']);
  if (secretId === undefined || secretKey === undefined || sessionToken === undefined || expiresAtMs === undefined) {
    throw new CredentialSourceError(`${what} answered without TmpSecretId, TmpSecretKey, Token and an expiry`);
  }
  return { value: { secretId, secretKey, sessionToken }, expiresAtMs };
}

export interface TkeOidcSettings {
  readonly region: string;
  readonly providerId: string;
  readonly webIdentityTokenFile: string;
  readonly roleArn: string;
  /** Full URL ending in `/` (see endpointUrl). */
  readonly stsEndpoint: string;
}

/** TKE workload identity: the pod's token (re-read every time: the platform rotates it) for a role, via unsigned AssumeRoleWithWebIdentity. */
export function tkeOidcSource(settings: TkeOidcSettings, deps: SourceDeps): CredentialSource<TencentCredentials> {
  const endpoint = new URL(settings.stsEndpoint);
  const what = `STS AssumeRoleWithWebIdentity at ${endpoint.host}`;
  return {
    name: 'tke-oidc',
    identity: settings.roleArn,
    async fetch() {
      const token = await readTokenFile(deps, settings.webIdentityTokenFile);
      const body = JSON.stringify({
        ProviderId: settings.providerId,
        WebIdentityToken: token,
        RoleArn: settings.roleArn,
        RoleSessionName: ROLE_SESSION_NAME,
        DurationSeconds: REQUESTED_DURATION_SECONDS,
      });
      const reply = await requestJson(deps, PROVIDER, what, {
        url: endpoint.href,
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          Host: endpoint.host,
          // This action is anonymous: the token is the proof, so the request carries no signature.
          Authorization: 'SKIP',
          'X-TC-Action': 'AssumeRoleWithWebIdentity',
          'X-TC-Version': TENCENT_STS_VERSION,
          'X-TC-Region': settings.region,
          'X-TC-Timestamp': String(Math.floor(deps.now() / 1000)),
        },
        body: Buffer.from(body, 'utf8'),
      });
      const response = reply.body?.['Response'];
      if (!isRecord(response))
        throw new CredentialSourceError(`${what} answered HTTP ${reply.status} without a Response object`);
      const error = response['Error'];
      if (isRecord(error))
        throw new CredentialSourceError(`${what} answered${safeCode(error['Code']) || ' an error without a code'}`);
      const credentials = response['Credentials'];
      return temporaryCredential(isRecord(credentials) ? credentials : undefined, response, what);
    },
  };
}

export interface ProfileFileSettings {
  readonly path: string;
  /** The section to read; the SDK reads `default`. */
  readonly profile: string;
  readonly recheckMs: number;
}

/** `~/.tencentcloud/credentials`: `secret_id`, `secret_key` (and `token` for a temporary one), read again every `recheckMs`. */
export function profileFileSource(
  settings: ProfileFileSettings,
  deps: SourceDeps,
): CredentialSource<TencentCredentials> {
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
      const secretId = profile.get('secret_id');
      const secretKey = profile.get('secret_key');
      const token = profile.get('token');
      if (!secretId || !secretKey) throw new CredentialSourceError(`${where}: secret_id and secret_key are required`);
      return {
        value: { secretId, secretKey, ...(token ? { sessionToken: token } : {}) },
        recheckAtMs: deps.now() + settings.recheckMs,
      };
    },
  };
}

export interface CvmRoleSettings {
  /** The CAM role bound to the instance; null asks the metadata service. */
  readonly roleName: string | null;
  /** http://metadata.tencentyun.com on CVM; injectable for tests. */
  readonly origin: string;
}

export function cvmRoleSource(settings: CvmRoleSettings, deps: SourceDeps): CredentialSource<TencentCredentials> {
  const base = `${settings.origin.replace(/\/+$/, '')}/latest/meta-data/cam/security-credentials/`;
  const what = `the CVM metadata service at ${describeUrl(settings.origin)}`;
  return {
    name: 'cvm-role',
    identity: `cvm-role ${settings.roleName ?? 'auto'}`,
    async fetch() {
      let roleName = settings.roleName;
      if (roleName === null) {
        const roles = await requestJson(deps, PROVIDER, what, { url: base, method: 'GET', headers: {} });
        roleName = roles.status === 200 ? (roles.text.split(/\s+/).find((line) => line !== '') ?? null) : null;
        if (roleName === null)
          throw new CredentialSourceError(`${what}: no CAM role bound to this instance (HTTP ${roles.status})`);
      }
      const reply = await requestJson(deps, PROVIDER, what, {
        url: `${base}${encodeURIComponent(roleName)}`,
        method: 'GET',
        headers: {},
      });
      if (reply.status !== 200)
        throw new CredentialSourceError(`${what} answered HTTP ${reply.status} for role ${roleName}`);
      const code = stringField(reply.body, 'Code');
      if (code !== 'Success')
        throw new CredentialSourceError(`${what} answered Code${safeCode(code) || ' (none)'} for role ${roleName}`);
      return temporaryCredential(reply.body, reply.body, what);
    },
  };
}
