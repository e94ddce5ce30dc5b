/**
 * The credential holders of a running app: the source chosen per provider at start-up,
 * its refreshes reported to logs and metrics, and whether every configured provider
 * holds a credential (the readiness probe). Logs name the source and the expiry, never a value.
 */
import { access, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import type { Logger } from 'pino';
import type { AlibabaCredentials, TencentCredentials } from '../../config/index.js';
import { chooseAlibabaSource, type AlibabaCredentialSettings, type ChooseDeps } from '../alibaba/credentials.js';
import type { ProviderName } from '../errors.js';
import type { AgentChooser, FetchLike } from '../http.js';
import { chooseTencentSource, type TencentCredentialSettings } from '../tencent/credentials.js';
import { createCredentialHolder, type CredentialHolder, type CredentialState, type RefreshOutcome } from './holder.js';
import type { CredentialSource } from './source.js';

export interface CredentialSettings {
  readonly tencent: TencentCredentialSettings;
  readonly alibaba: AlibabaCredentialSettings;
}

export interface CredentialsDeps {
  readonly fetch: FetchLike;
  readonly now: () => number;
  readonly logger: Logger;
  readonly random?: () => number;
  /** Per source call; the provider timeout is a good value. */
  readonly timeoutMs: number;
  readonly agent?: AgentChooser;
  /** Where ~/.alibabacloud and ~/.tencentcloud are looked for; default the user's home. */
  readonly homeDir?: string;
  readonly metrics?: {
    watchCredential(provider: ProviderName, state: () => CredentialState): void;
    credentialRefresh(outcome: RefreshOutcome): void;
  };
}

export interface AppCredentials {
  /** null: no source is configured for the provider. */
  readonly tencent: CredentialHolder<TencentCredentials> | null;
  readonly alibaba: CredentialHolder<AlibabaCredentials> | null;
  /**
   * Every configured provider has held a credential since start-up; until then, asking starts a
   * fetch for one that has none (when due). It stays true afterwards: an outage of STS or metadata
   * must not take the process out of the router, and lookups say why they fail (UPSTREAM_AUTH_FAILED).
   */
  isReady(): boolean;
}

export async function startCredentials(settings: CredentialSettings, deps: CredentialsDeps): Promise<AppCredentials> {
  const chooseDeps: ChooseDeps = {
    fetch: deps.fetch,
    now: deps.now,
    readFile: (path) => readFile(path, 'utf8'),
    timeoutMs: deps.timeoutMs,
    ...(deps.agent && { agent: deps.agent }),
    homeDir: deps.homeDir ?? homedir(),
    fileExists: (path) =>
      access(path).then(
        () => true,
        () => false,
      ),
  };
  // The providers that have held a credential since start-up.
  const obtained = new Set<ProviderName>();
  const tencent = holderFor('tencent-mps', await chooseTencentSource(settings.tencent, chooseDeps), deps, obtained);
  const alibaba = holderFor('alibaba-ice', await chooseAlibabaSource(settings.alibaba, chooseDeps), deps, obtained);
  // The first fetch now, so the probe turns ready as soon as it can; a failure is logged and retried.
  await Promise.all([tencent?.current().catch(() => undefined), alibaba?.current().catch(() => undefined)]);
  const configured = [
    { provider: 'tencent-mps', holder: tencent },
    { provider: 'alibaba-ice', holder: alibaba },
  ] as const;
  return {
    tencent,
    alibaba,
    isReady() {
      const waiting = configured.filter(({ provider, holder }) => holder !== null && !obtained.has(provider));
      // Asking a holder that has none starts its next fetch, when one is due.
      for (const { holder } of waiting) holder?.isReady();
      return waiting.length === 0;
    },
  };
}

function holderFor<C>(
  provider: ProviderName,
  source: CredentialSource<C> | null,
  deps: CredentialsDeps,
  obtained: Set<ProviderName>,
): CredentialHolder<C> | null {
  if (source === null) return null;
  const holder = createCredentialHolder({
    provider,
    source,
    now: deps.now,
    ...(deps.random && { random: deps.random }),
    onRefresh: (outcome) => {
      if (outcome.outcome === 'success') obtained.add(provider);
      deps.metrics?.credentialRefresh(outcome);
      logRefresh(deps.logger, outcome);
    },
  });
  deps.metrics?.watchCredential(provider, () => holder.state());
  return holder;
}

function logRefresh(logger: Logger, outcome: RefreshOutcome): void {
  const expiresAt = outcome.expiresAtMs === null ? null : new Date(outcome.expiresAtMs).toISOString();
  const fields = { provider: outcome.provider, source: outcome.source, expiresAt };
  if (outcome.outcome === 'failure') {
    logger.warn(
      { ...fields, reason: outcome.reason },
      `${outcome.provider}: credential refresh from ${outcome.source} failed: ${outcome.reason ?? ''}`,
    );
  } else if (outcome.first) {
    logger.info(
      fields,
      `${outcome.provider}: credentials from ${outcome.source}, ${expiresAt === null ? 'not expiring' : `expiring ${expiresAt}`}`,
    );
  } else {
    logger.debug(fields, `${outcome.provider}: credential refreshed from ${outcome.source}`);
  }
}
