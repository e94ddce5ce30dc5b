/**
 * The emulator plays the platform too: STS for both clouds (platform-sts.ts), an Alibaba
 * credentials URI and the instance metadata of ECS and CVM (platform-metadata.ts), all
 * issuing temporary credentials with a lifetime a test chooses. Tests script it (lifetime,
 * accepted OIDC tokens, outages, revocation) in process or over /__emulator/platform/
 * (platform-control.ts). Wire formats: docs/credentials.md.
 */
import type { CredentialBook } from './credentials.js';
import { IssuedCredentials } from './issued-credentials.js';
import { platformControlAnswer } from './platform-control.js';
import { metadataAnswer } from './platform-metadata.js';
import { stsAnswer } from './platform-sts.js';
import {
  DEFAULT_LIFETIME_MS,
  PLATFORM_CONTROL_PREFIX,
  type PlatformCall,
  type PlatformControls,
  type PlatformFilter,
  type PlatformService,
  type PlatformState,
} from './platform-types.js';
import type { EmulatorResponse, ReceivedRequest } from './wire.js';

export * from './platform-types.js';

export interface Platform extends PlatformControls {
  /** The platform's answer, or null when the request is a provider call. */
  answer(request: ReceivedRequest, nowMs: number): EmulatorResponse | null;
  /** The fixed keys plus every credential issued, for the provider endpoints. */
  book(fixed: CredentialBook): CredentialBook;
}

export function createPlatform(): Platform {
  const issued = new IssuedCredentials();
  const down = new Set<PlatformService>();
  const imdsTokens = new Set<string>();
  let lifetimeMs = DEFAULT_LIFETIME_MS;
  let oidcTokens: ReadonlySet<string> | null = null;
  let log: PlatformCall[] = [];

  const matches = (call: PlatformCall, filter: PlatformFilter): boolean =>
    (filter.service === undefined || call.service === filter.service) &&
    (filter.provider === undefined || call.provider === filter.provider) &&
    (filter.action === undefined || call.action === filter.action);

  const controls: PlatformControls = {
    setLifetime(ms) {
      if (!(Number.isFinite(ms) && ms >= 1000)) throw new TypeError('setLifetime: at least 1000 ms');
      lifetimeMs = ms;
    },
    acceptOidcTokens(tokens) {
      oidcTokens = tokens === null ? null : new Set(tokens);
    },
    setDown(service, isDown) {
      if (isDown) down.add(service);
      else down.delete(service);
    },
    revoke: (provider, id) => issued.revoke(provider, id),
    issued: (provider) => issued.records(provider),
    calls: (filter = {}) => log.filter((call) => matches(call, filter)),
    callCount: (filter = {}) => log.filter((call) => matches(call, filter)).length,
    resetCalls() {
      log = [];
    },
  };

  function answer(request: ReceivedRequest, nowMs: number): EmulatorResponse | null {
    if (request.path.startsWith(PLATFORM_CONTROL_PREFIX)) return platformControlAnswer(request, controls);
    const state: PlatformState = {
      issued,
      down,
      lifetimeMs,
      oidcTokens,
      imdsTokens,
      nowMs,
      record(call, response) {
        log.push({ ...call, receivedAt: nowMs });
        return response;
      },
    };
    return stsAnswer(request, state) ?? metadataAnswer(request, state);
  }

  return { ...controls, answer, book: (fixed) => issued.book(fixed) };
}
