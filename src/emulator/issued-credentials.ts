/**
 * The temporary credentials the emulated platform hands out (STS, a credentials URI,
 * instance metadata), each with an expiry and a revoked flag. The provider endpoints look
 * them up next to the fixed keys, so a token past its expiry or revoked is refused with the
 * provider's own code, exactly where the real services refuse it.
 */
import { randomBytes } from 'node:crypto';
import type { CredentialBook } from './credentials.js';
import type { AlibabaCredential, ProviderId, TencentCredential } from './types.js';

export interface IssuedRecord {
  readonly provider: ProviderId;
  readonly id: string;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
  revoked: boolean;
  /** The secret and token issued, so a test can search logs and answers for them. */
  readonly secret: string;
  readonly token: string;
}

export interface IssuedTencent {
  readonly secretId: string;
  readonly secretKey: string;
  readonly token: string;
}

export interface IssuedAlibaba {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
}

interface Entry {
  readonly record: IssuedRecord;
  readonly tencent?: TencentCredential;
  readonly alibaba?: AlibabaCredential;
}

const random = (bytes: number): string => randomBytes(bytes).toString('hex');

export class IssuedCredentials {
  private readonly entries = new Map<string, Entry>();
  private counter = 0;

  issueTencent(nowMs: number, lifetimeMs: number): { credential: IssuedTencent; expiresAtMs: number } {
    this.counter += 1;
    // Shaped like a real temporary SecretId (AKID…) so format checks pass.
    const credential = {
      secretId: `AKIDEMUTMP${String(this.counter).padStart(6, '0')}${random(8).toUpperCase()}`,
      secretKey: random(16),
      token: `emu-tc-token-${random(24)}`,
    };
    const record = this.remember(
      'tencent-mps',
      credential.secretId,
      credential.secretKey,
      credential.token,
      nowMs,
      lifetimeMs,
    );
    this.entries.set(credential.secretId, { record, tencent: credential });
    return { credential, expiresAtMs: record.expiresAtMs };
  }

  issueAlibaba(nowMs: number, lifetimeMs: number): { credential: IssuedAlibaba; expiresAtMs: number } {
    this.counter += 1;
    // STS AccessKeyIds start with `STS.`.
    const credential = {
      accessKeyId: `STS.EMU${String(this.counter).padStart(6, '0')}${random(8).toUpperCase()}`,
      accessKeySecret: random(16),
      securityToken: `emu-acs-token-${random(24)}`,
    };
    const record = this.remember(
      'alibaba-ice',
      credential.accessKeyId,
      credential.accessKeySecret,
      credential.securityToken,
      nowMs,
      lifetimeMs,
    );
    this.entries.set(credential.accessKeyId, { record, alibaba: credential });
    return { credential, expiresAtMs: record.expiresAtMs };
  }

  /** Revokes every credential of `provider` issued so far (or only `id`); returns how many. */
  revoke(provider: ProviderId, id?: string): number {
    let count = 0;
    for (const { record } of this.entries.values()) {
      if (record.provider !== provider || record.revoked || (id !== undefined && record.id !== id)) continue;
      record.revoked = true;
      count += 1;
    }
    return count;
  }

  records(provider?: ProviderId): IssuedRecord[] {
    return [...this.entries.values()]
      .map((e) => ({ ...e.record }))
      .filter((r) => provider === undefined || r.provider === provider);
  }

  /** The fixed keys first, then the issued ones, with their expiry and revocation as of this lookup. */
  book(fixed: CredentialBook): CredentialBook {
    return {
      tencent: (secretId) => fixed.tencent(secretId) ?? this.view(this.entries.get(secretId), 'tencent'),
      alibaba: (accessKeyId) => fixed.alibaba(accessKeyId) ?? this.view(this.entries.get(accessKeyId), 'alibaba'),
    };
  }

  private view<K extends 'tencent' | 'alibaba'>(entry: Entry | undefined, kind: K): Entry[K] {
    const credential = entry?.[kind];
    if (!entry || !credential) return undefined;
    return { ...credential, expiresAtMs: entry.record.expiresAtMs, revoked: entry.record.revoked } as Entry[K];
  }

  private remember(
    provider: ProviderId,
    id: string,
    secret: string,
    token: string,
    nowMs: number,
    lifetimeMs: number,
  ): IssuedRecord {
    // Expiries travel in whole seconds (ISO without milliseconds, unix seconds): issue them so.
    const expiresAtMs = Math.floor((nowMs + lifetimeMs) / 1000) * 1000;
    return { provider, id, issuedAtMs: nowMs, expiresAtMs, revoked: false, secret, token };
  }
}
