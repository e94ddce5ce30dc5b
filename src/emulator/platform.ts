/**
 * The emulator plays the platform too: STS for both clouds (AssumeRoleWithOIDC,
 * AssumeRoleWithWebIdentity), an Alibaba credentials URI, and the instance metadata of
 * ECS (IMDSv2) and CVM, all issuing temporary credentials with a lifetime a test
 * chooses. Tests script it (lifetime, accepted OIDC tokens, outages, revocation) in
 * process or over /__emulator/platform/. Wire formats: docs/credentials.md.
 */
import { randomUUID } from 'node:crypto';
import type { CredentialBook } from './credentials.js';
import { IssuedCredentials, type IssuedRecord } from './issued-credentials.js';
import { isJsonObject, tryParseJson } from './json.js';
import type { ProviderId } from './types.js';
import { decodeQuery, jsonResponse, textResponse, type EmulatorResponse, type ReceivedRequest } from './wire.js';

export type PlatformService = 'sts' | 'credentials-uri' | 'metadata';
export const PLATFORM_SERVICES: readonly PlatformService[] = ['sts', 'credentials-uri', 'metadata'];

export const CREDENTIALS_URI_PATH = '/platform/alibaba/credentials';
export const PLATFORM_CONTROL_PREFIX = '/__emulator/platform/';
export const ECS_ROLE_NAME = 'EmulatorEcsRole';
export const CVM_ROLE_NAME = 'EmulatorCvmRole';
export const DEFAULT_LIFETIME_MS = 3_600_000;

export interface PlatformCall {
  readonly service: PlatformService;
  readonly provider: ProviderId;
  /** AssumeRoleWithOIDC, AssumeRoleWithWebIdentity, GetCredentials, MetadataToken, RoleName, RoleCredentials. */
  readonly action: string;
  readonly outcome: string;
  /** The OIDC token STS was shown, so a test can check the rotated file was read. */
  readonly oidcToken?: string;
  readonly receivedAt: number;
}

export interface PlatformFilter {
  readonly service?: PlatformService;
  readonly provider?: ProviderId;
  readonly action?: string;
}

export interface PlatformControls {
  /** The lifetime of every credential issued from now on. */
  setLifetime(ms: number): void;
  /** STS accepts only these OIDC tokens; null (the default) accepts any non-empty one. */
  acceptOidcTokens(tokens: readonly string[] | null): void;
  /** While down, the service answers 503 in its own format. */
  setDown(service: PlatformService, down: boolean): void;
  /** Revokes what was issued for `provider` so far (or only `id`): its provider calls are then refused. Returns how many. */
  revoke(provider: ProviderId, id?: string): number;
  issued(provider?: ProviderId): IssuedRecord[];
  calls(filter?: PlatformFilter): PlatformCall[];
  callCount(filter?: PlatformFilter): number;
  resetCalls(): void;
}

export interface Platform extends PlatformControls {
  /** The platform's answer, or null when the request is a provider call. */
  answer(request: ReceivedRequest, nowMs: number): EmulatorResponse | null;
  /** The fixed keys plus every credential issued, for the provider endpoints. */
  book(fixed: CredentialBook): CredentialBook;
}

export function createPlatform(): Platform {
  const issued = new IssuedCredentials();
  const down = new Set<PlatformService>();
  let lifetimeMs = DEFAULT_LIFETIME_MS;
  let oidcTokens: ReadonlySet<string> | null = null;
  let log: PlatformCall[] = [];
  const imdsTokens = new Set<string>();

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
    const record = (call: Omit<PlatformCall, 'receivedAt'>, response: EmulatorResponse): EmulatorResponse => {
      log.push({ ...call, receivedAt: nowMs });
      return response;
    };
    if (request.path.startsWith(PLATFORM_CONTROL_PREFIX)) return controlAnswer(request, controls);

    // Alibaba STS, RPC style: the action is in the query, the parameters in a form body.
    const query = decodeQuery(request.rawQuery);
    if (request.path === '/' && query['Action'] === 'AssumeRoleWithOIDC') {
      const action = 'AssumeRoleWithOIDC';
      const form = decodeQuery(request.body.toString('utf8'));
      const oidcToken = form['OIDCToken'] ?? '';
      const fail = (status: number, code: string, message: string): EmulatorResponse =>
        record(
          { service: 'sts', provider: 'alibaba-ice', action, outcome: code, oidcToken },
          jsonResponse(status, { RequestId: randomUUID().toUpperCase(), HostId: 'sts.aliyuncs.com', Code: code, Message: message }, code),
        );
      if (down.has('sts')) return fail(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
      if (request.method !== 'POST') return fail(400, 'UnsupportedHTTPMethod', 'AssumeRoleWithOIDC is served as POST.');
      for (const name of ['OIDCProviderArn', 'RoleArn', 'OIDCToken'] as const) {
        if (!form[name]) return fail(400, `Missing${name}`, `${name} is mandatory for this action.`);
      }
      if (oidcTokens !== null && !oidcTokens.has(oidcToken)) {
        return fail(400, 'AuthenticationFail.OIDCToken.Invalid', 'The OIDC token is invalid or has expired.');
      }
      const { credential, expiresAtMs } = issued.issueAlibaba(nowMs, lifetimeMs);
      return record(
        { service: 'sts', provider: 'alibaba-ice', action, outcome: 'ok', oidcToken },
        jsonResponse(
          200,
          {
            RequestId: randomUUID().toUpperCase(),
            Credentials: { ...alibabaFields(credential), Expiration: isoSeconds(expiresAtMs) },
            AssumedRoleUser: { Arn: `${form['RoleArn']}/media-task-subgraph`, AssumedRoleId: '300000000000000000:media-task-subgraph' },
            OIDCTokenInfo: { Issuer: 'https://oidc-ack.emulator', Subject: 'system:serviceaccount:default:subgraph' },
          },
          'ok',
        ),
      );
    }

    // Tencent STS, API 3.0: the action in X-TC-Action, unsigned (Authorization: SKIP).
    if (request.headers['x-tc-action'] === 'AssumeRoleWithWebIdentity') {
      const action = 'AssumeRoleWithWebIdentity';
      const body = tryParseJson(request.body.toString('utf8'));
      const params = isJsonObject(body) ? body : {};
      const oidcToken = typeof params['WebIdentityToken'] === 'string' ? params['WebIdentityToken'] : '';
      const fail = (status: number, code: string, message: string): EmulatorResponse =>
        record(
          { service: 'sts', provider: 'tencent-mps', action, outcome: code, oidcToken },
          jsonResponse(status, { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } }, code),
        );
      if (down.has('sts')) return fail(503, 'InternalError', 'An internal error has occurred. Retry your request.');
      if (request.method !== 'POST' || request.path !== '/') return fail(200, 'UnsupportedOperation', 'POST / only.');
      for (const name of ['ProviderId', 'RoleArn', 'WebIdentityToken', 'RoleSessionName'] as const) {
        if (typeof params[name] !== 'string' || params[name] === '') return fail(200, 'MissingParameter', `The request is missing ${name}.`);
      }
      if (oidcTokens !== null && !oidcTokens.has(oidcToken)) {
        return fail(200, 'InvalidParameter.WebIdentityTokenError', 'The WebIdentityToken is invalid or has expired.');
      }
      const { credential, expiresAtMs } = issued.issueTencent(nowMs, lifetimeMs);
      return record(
        { service: 'sts', provider: 'tencent-mps', action, outcome: 'ok', oidcToken },
        jsonResponse(
          200,
          {
            Response: {
              Credentials: tencentFields(credential),
              ExpiredTime: Math.floor(expiresAtMs / 1000),
              Expiration: isoSeconds(expiresAtMs),
              RequestId: randomUUID(),
            },
          },
          'ok',
        ),
      );
    }

    if (request.path === CREDENTIALS_URI_PATH) {
      const base = { service: 'credentials-uri', provider: 'alibaba-ice', action: 'GetCredentials' } as const;
      if (down.has('credentials-uri')) return record({ ...base, outcome: 'unavailable' }, textResponse(503, 'unavailable', 'unavailable'));
      if (request.method !== 'GET') return record({ ...base, outcome: 'method' }, textResponse(405, 'GET only', 'method'));
      const { credential, expiresAtMs } = issued.issueAlibaba(nowMs, lifetimeMs);
      return record(
        { ...base, outcome: 'ok' },
        jsonResponse(200, { Code: 'Success', ...alibabaFields(credential), Expiration: isoSeconds(expiresAtMs) }, 'ok'),
      );
    }

    // ECS: IMDSv2 session token, then the role name, then its credential (token required).
    if (request.path === '/latest/api/token' || request.path.startsWith('/latest/meta-data/ram/security-credentials/')) {
      const provider = 'alibaba-ice';
      const unavailable = (action: string): EmulatorResponse =>
        record({ service: 'metadata', provider, action, outcome: 'unavailable' }, textResponse(503, 'unavailable', 'unavailable'));
      if (request.path === '/latest/api/token') {
        const action = 'MetadataToken';
        if (down.has('metadata')) return unavailable(action);
        if (request.method !== 'PUT' || !request.headers['x-aliyun-ecs-metadata-token-ttl-seconds']) {
          return record({ service: 'metadata', provider, action, outcome: 'bad-request' }, textResponse(400, 'PUT with a ttl header', 'bad-request'));
        }
        const token = `emu-imds-${randomUUID()}`;
        imdsTokens.add(token);
        return record({ service: 'metadata', provider, action, outcome: 'ok' }, textResponse(200, token, 'ok'));
      }
      const role = decodeURIComponent(request.path.slice('/latest/meta-data/ram/security-credentials/'.length));
      const action = role === '' ? 'RoleName' : 'RoleCredentials';
      if (down.has('metadata')) return unavailable(action);
      if (!imdsTokens.has(request.headers['x-aliyun-ecs-metadata-token'] ?? '')) {
        return record({ service: 'metadata', provider, action, outcome: 'unauthorized' }, textResponse(401, 'IMDSv2 token required', 'unauthorized'));
      }
      if (role === '') return record({ service: 'metadata', provider, action, outcome: 'ok' }, textResponse(200, ECS_ROLE_NAME, 'ok'));
      if (role !== ECS_ROLE_NAME) return record({ service: 'metadata', provider, action, outcome: 'not-found' }, textResponse(404, 'not found', 'not-found'));
      const { credential, expiresAtMs } = issued.issueAlibaba(nowMs, lifetimeMs);
      return record(
        { service: 'metadata', provider, action, outcome: 'ok' },
        jsonResponse(
          200,
          { Code: 'Success', ...alibabaFields(credential), Expiration: isoSeconds(expiresAtMs), LastUpdated: isoSeconds(nowMs) },
          'ok',
        ),
      );
    }

    if (request.path.startsWith('/latest/meta-data/cam/security-credentials/')) {
      const provider = 'tencent-mps';
      const role = decodeURIComponent(request.path.slice('/latest/meta-data/cam/security-credentials/'.length));
      const action = role === '' ? 'RoleName' : 'RoleCredentials';
      if (down.has('metadata')) return record({ service: 'metadata', provider, action, outcome: 'unavailable' }, textResponse(503, 'unavailable', 'unavailable'));
      if (role === '') return record({ service: 'metadata', provider, action, outcome: 'ok' }, textResponse(200, CVM_ROLE_NAME, 'ok'));
      if (role !== CVM_ROLE_NAME) return record({ service: 'metadata', provider, action, outcome: 'not-found' }, textResponse(404, 'not found', 'not-found'));
      const { credential, expiresAtMs } = issued.issueTencent(nowMs, lifetimeMs);
      return record(
        { service: 'metadata', provider, action, outcome: 'ok' },
        jsonResponse(
          200,
          { Code: 'Success', ...tencentFields(credential), ExpiredTime: Math.floor(expiresAtMs / 1000), Expiration: isoSeconds(expiresAtMs) },
          'ok',
        ),
      );
    }
    return null;
  }

  return { ...controls, answer, book: (fixed) => issued.book(fixed) };
}

function alibabaFields(c: { accessKeyId: string; accessKeySecret: string; securityToken: string }): Record<string, string> {
  return { AccessKeyId: c.accessKeyId, AccessKeySecret: c.accessKeySecret, SecurityToken: c.securityToken };
}

function tencentFields(c: { secretId: string; secretKey: string; token: string }): Record<string, string> {
  return { TmpSecretId: c.secretId, TmpSecretKey: c.secretKey, Token: c.token };
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 *   POST /__emulator/platform/lifetime {"seconds"}          lifetime of what is issued next
 *   POST /__emulator/platform/down     {"service","down"}    sts | credentials-uri | metadata
 *   POST /__emulator/platform/revoke   {"provider","id"?}    {"revoked":n}
 *   POST /__emulator/platform/oidc-tokens {"tokens":[...]|null}
 *   GET  /__emulator/platform/calls?service=&provider=&action=   {"count":n,"calls":[...]}
 *   DELETE /__emulator/platform/calls
 */
function controlAnswer(request: ReceivedRequest, controls: PlatformControls): EmulatorResponse {
  const route = `${request.method} ${request.path.slice(PLATFORM_CONTROL_PREFIX.length)}`;
  const body = tryParseJson(request.body.toString('utf8'));
  const params = isJsonObject(body) ? body : {};
  const bad = (error: string): EmulatorResponse => jsonResponse(400, { error }, 'control');
  const isProvider = (value: unknown): value is ProviderId => value === 'tencent-mps' || value === 'alibaba-ice';
  switch (route) {
    case 'POST lifetime': {
      const seconds = params['seconds'];
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1) return bad('seconds must be a positive integer');
      controls.setLifetime(seconds * 1000);
      return textResponse(204, '', 'control');
    }
    case 'POST down': {
      const service = params['service'];
      if (!PLATFORM_SERVICES.includes(service as PlatformService)) return bad(`service must be one of ${PLATFORM_SERVICES.join(', ')}`);
      if (typeof params['down'] !== 'boolean') return bad('down must be a boolean');
      controls.setDown(service as PlatformService, params['down']);
      return textResponse(204, '', 'control');
    }
    case 'POST revoke': {
      const provider = params['provider'];
      if (!isProvider(provider)) return bad('provider must be tencent-mps or alibaba-ice');
      const id = params['id'];
      if (id !== undefined && typeof id !== 'string') return bad('id must be a string');
      return jsonResponse(200, { revoked: controls.revoke(provider, id) }, 'control');
    }
    case 'POST oidc-tokens': {
      const tokens = params['tokens'];
      if (tokens !== null && !(Array.isArray(tokens) && tokens.every((t) => typeof t === 'string'))) return bad('tokens must be an array of strings or null');
      controls.acceptOidcTokens(tokens as string[] | null);
      return textResponse(204, '', 'control');
    }
    case 'GET calls': {
      const query = decodeQuery(request.rawQuery);
      const filter = {
        ...(PLATFORM_SERVICES.includes(query['service'] as PlatformService) && { service: query['service'] as PlatformService }),
        ...(isProvider(query['provider']) && { provider: query['provider'] }),
        ...(query['action'] !== undefined && { action: query['action'] }),
      };
      // Tokens stay in process: over HTTP the calls are listed without them.
      const calls = controls.calls(filter).map(({ oidcToken: _token, ...call }) => call);
      return jsonResponse(200, { count: calls.length, calls }, 'control');
    }
    case 'DELETE calls':
      controls.resetCalls();
      return textResponse(204, '', 'control');
    default:
      return jsonResponse(404, { error: `no platform control route ${route}` }, 'control');
  }
}
