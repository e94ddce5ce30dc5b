/**
 * What every credential source hands the holder: the values and, for temporary ones,
 * their expiry. A source fetches once per call and keeps nothing; the holder decides when.
 */

export interface IssuedCredential<C> {
  readonly value: C;
  /** Epoch ms after which the provider refuses it; absent for keys that do not expire. */
  readonly expiresAtMs?: number;
  /** For keys that do not expire but may be replaced (a secret manager's mounted file): when to read again. */
  readonly recheckAtMs?: number;
}

export interface CredentialSource<C> {
  /** Stable, for logs and metrics: `env`, `rrsa-oidc`, `credentials-uri`, `credentials-file`, `ecs-ram-role`, `tke-oidc`, `cvm-role`. */
  readonly name: string;
  /**
   * Who the credential acts as, public and stable across refreshes (a key id, a role ARN, a file's
   * path): what shared mode namespaces its Redis entries by, where a key id would change every refresh.
   */
  readonly identity: string;
  fetch(): Promise<IssuedCredential<C>>;
}

/**
 * A failure whose message we wrote and know to be free of secrets: it reaches logs and
 * the GraphQL error (UPSTREAM_AUTH_FAILED) as it is.
 */
export class CredentialSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialSourceError';
  }
}

/** Keys that never change while the process runs (today's environment variables). */
export function staticSource<C>(name: string, value: C, identity: string): CredentialSource<C> {
  return { name, identity, fetch: () => Promise.resolve({ value }) };
}
