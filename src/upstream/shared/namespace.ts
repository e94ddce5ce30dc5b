/**
 * Which deployment an answer in Redis belongs to. An answer depends on who asked whom: the
 * provider, its endpoint (a real API, a staging one, the built-in emulator's port), the region
 * sent with each call, the credential's account (its public key id) and whether the emulator
 * answers. Two deployments read each other's entries only when all of these agree, that is,
 * when they are the same client of the same provider. The namespace is a hash of them, so Redis
 * (and whoever reads it) learns none of them; no secret goes into it.
 */
import { createHash } from 'node:crypto';
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
  const canonical = JSON.stringify([identity.provider, identity.endpoint, identity.keyId, identity.region ?? '', identity.emulator]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, NAMESPACE_HEX_CHARS);
}
