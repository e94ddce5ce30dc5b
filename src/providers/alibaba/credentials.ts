/**
 * Which Alibaba Cloud credential source serves, decided once at start-up. The order is
 * the vendor SDK's, except that instance metadata is read only when asked for (off ECS
 * it would hang a start-up) and the pod's own identity comes before anything the node has.
 */
import { join } from 'node:path';
import type { AlibabaCredentials } from '../../config/index.js';
import { endpointUrl, type SourceDeps } from '../credentials/fetch-deps.js';
import { staticSource, type CredentialSource } from '../credentials/source.js';
import {
  ALIBABA_STS_DEFAULT_HOST,
  ECS_METADATA_ORIGIN,
  credentialsFileSource,
  credentialsUriSource,
  ecsRamRoleSource,
  rrsaSource,
} from './credentials-sources.js';

/** How often a credentials file is read again: a secret manager rotates it under a running process. */
export const CREDENTIALS_FILE_RECHECK_MS = 60_000;

export interface AlibabaCredentialSettings {
  /** ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET (+ ALIBABA_CLOUD_SECURITY_TOKEN). */
  readonly static: AlibabaCredentials | null;
  /** ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE: all three or none. */
  readonly rrsa: { readonly roleArn: string; readonly oidcProviderArn: string; readonly oidcTokenFile: string } | null;
  /** ALIBABA_CLOUD_STS_ENDPOINT: a host (https) or a full URL; default sts.aliyuncs.com. */
  readonly stsEndpoint: string | null;
  /** ALIBABA_CLOUD_CREDENTIALS_URI. */
  readonly credentialsUri: string | null;
  /** ALIBABA_CLOUD_CREDENTIALS_FILE; absent, ~/.alibabacloud/credentials when it exists. */
  readonly credentialsFile: string | null;
  /** ALIBABA_CLOUD_PROFILE, default `default`. */
  readonly profile: string;
  /** ALIBABA_CLOUD_ECS_METADATA: a role name, or `auto` to ask the metadata service; null: never read metadata. */
  readonly ecsMetadataRole: string | null;
  /** ALIBABA_CLOUD_ECS_METADATA_ORIGIN; default http://100.100.100.200. */
  readonly metadataOrigin: string | null;
  /** ALIBABA_CLOUD_IMDSV1_DISABLED. */
  readonly imdsv1Disabled: boolean;
}

export interface ChooseDeps extends SourceDeps {
  readonly homeDir: string;
  readonly fileExists: (path: string) => Promise<boolean>;
}

export async function chooseAlibabaSource(
  settings: AlibabaCredentialSettings,
  deps: ChooseDeps,
): Promise<CredentialSource<AlibabaCredentials> | null> {
  if (settings.static) return staticSource('env', settings.static, settings.static.accessKeyId);
  if (settings.rrsa) {
    return rrsaSource(
      { ...settings.rrsa, stsEndpoint: endpointUrl(settings.stsEndpoint ?? ALIBABA_STS_DEFAULT_HOST) },
      deps,
    );
  }
  if (settings.credentialsUri) return credentialsUriSource(settings.credentialsUri, deps);
  const defaultFile = join(deps.homeDir, '.alibabacloud', 'credentials');
  const file = settings.credentialsFile ?? ((await deps.fileExists(defaultFile)) ? defaultFile : null);
  if (file)
    return credentialsFileSource(
      { path: file, profile: settings.profile, recheckMs: CREDENTIALS_FILE_RECHECK_MS },
      deps,
    );
  if (settings.ecsMetadataRole !== null) {
    return ecsRamRoleSource(
      {
        roleName: settings.ecsMetadataRole === 'auto' ? null : settings.ecsMetadataRole,
        origin: settings.metadataOrigin ?? ECS_METADATA_ORIGIN,
        imdsv1Disabled: settings.imdsv1Disabled,
      },
      deps,
    );
  }
  return null;
}
