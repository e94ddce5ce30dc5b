/**
 * Which Tencent Cloud credential source serves, decided once at start-up. Unlike the
 * vendor SDK's chain, the pod's own TKE identity comes before the node's CVM role, and
 * instance metadata is read only when asked for (off CVM it would hang a start-up).
 */
import { join } from 'node:path';
import type { TencentCredentials } from '../../config/index.js';
import type { ChooseDeps } from '../alibaba/credentials.js';
import { endpointUrl } from '../credentials/fetch-deps.js';
import { staticSource, type CredentialSource } from '../credentials/source.js';
import {
  CVM_METADATA_ORIGIN,
  TENCENT_STS_DEFAULT_HOST,
  cvmRoleSource,
  profileFileSource,
  tkeOidcSource,
} from './credentials-sources.js';

export const CREDENTIALS_FILE_RECHECK_MS = 60_000;
/** Read in this order when present, as the SDK's ProfileCredential does. */
export const SYSTEM_CREDENTIALS_FILE = '/etc/tencentcloud/credentials';

export interface TencentCredentialSettings {
  /** TENCENTCLOUD_SECRET_ID / _KEY (+ TENCENTCLOUD_SESSION_TOKEN). */
  readonly static: TencentCredentials | null;
  /** TKE_REGION, TKE_PROVIDER_ID, TKE_WEB_IDENTITY_TOKEN_FILE, TKE_ROLE_ARN: all four or none. */
  readonly tke: {
    readonly region: string;
    readonly providerId: string;
    readonly webIdentityTokenFile: string;
    readonly roleArn: string;
  } | null;
  /** TENCENTCLOUD_STS_ENDPOINT: a host (https) or a full URL; default sts.tencentcloudapi.com. */
  readonly stsEndpoint: string | null;
  /** TENCENTCLOUD_CREDENTIALS_FILE; absent, ~/.tencentcloud/credentials then /etc/tencentcloud/credentials when one exists. */
  readonly credentialsFile: string | null;
  /** TENCENTCLOUD_CVM_ROLE: a role name, or `auto` to ask the metadata service; null: never read metadata. */
  readonly cvmRole: string | null;
  /** TENCENTCLOUD_METADATA_ORIGIN; default http://metadata.tencentyun.com. */
  readonly metadataOrigin: string | null;
}

export async function chooseTencentSource(
  settings: TencentCredentialSettings,
  deps: ChooseDeps,
): Promise<CredentialSource<TencentCredentials> | null> {
  if (settings.static) return staticSource('env', settings.static, settings.static.secretId);
  if (settings.tke)
    return tkeOidcSource(
      { ...settings.tke, stsEndpoint: endpointUrl(settings.stsEndpoint ?? TENCENT_STS_DEFAULT_HOST) },
      deps,
    );
  let file = settings.credentialsFile;
  for (const candidate of [join(deps.homeDir, '.tencentcloud', 'credentials'), SYSTEM_CREDENTIALS_FILE]) {
    if (file === null && (await deps.fileExists(candidate))) file = candidate;
  }
  if (file) return profileFileSource({ path: file, profile: 'default', recheckMs: CREDENTIALS_FILE_RECHECK_MS }, deps);
  if (settings.cvmRole !== null) {
    return cvmRoleSource(
      {
        roleName: settings.cvmRole === 'auto' ? null : settings.cvmRole,
        origin: settings.metadataOrigin ?? CVM_METADATA_ORIGIN,
      },
      deps,
    );
  }
  return null;
}
