/**
 * The namespace of a deployment's entries in Redis: a hash of what an answer depends on (provider,
 * endpoint, region, key id, emulator or not), so only the same client of the same provider reads
 * them. No secret goes into it, and neither key id nor endpoint can be read back out. Why:
 * docs/architecture.md.
 */ import { createHash } from 'node:crypto';
import type { ProviderName } from '../../providers/errors.js';

export interface DeploymentIdentity {
  readonly provider: ProviderName;
  /** Origin of the provider API this deployment calls. */
  readonly endpoint: string;
  /** The credential's public id (a SecretId, an AccessKeyId): the account the provider answers for; never the secret. */
  readonly keyId: string;
  /** The region sent with each call, when one is. */
  readonly region?: string | undefined;
  /** Answered by the built-in emulator rather than the provider. */
  readonly emulator: boolean;
}

/** 128 bits of SHA-256: far past any chance collision between deployments, short enough for key names. */
const NAMESPACE_HEX_CHARS = 32;

export function deploymentNamespace(identity: DeploymentIdentity): string {
  // An array, not an object: the order is fixed, so equal identities always hash alike.
  const canonical = JSON.stringify([
    identity.provider,
    identity.endpoint,
    identity.keyId,
    identity.region ?? '',
    identity.emulator,
  ]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, NAMESPACE_HEX_CHARS);
}
