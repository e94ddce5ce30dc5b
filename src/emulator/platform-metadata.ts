/**
 * The other places a workload gets a credential from: an Alibaba credentials URI, ECS
 * instance metadata (IMDSv2 session token required) and CVM instance metadata.
 */
import { randomUUID } from 'node:crypto';
import {
  CREDENTIALS_URI_PATH,
  CVM_ROLE_NAME,
  ECS_ROLE_NAME,
  alibabaFields,
  isoSeconds,
  tencentFields,
  type PlatformState,
} from './platform-types.js';
import { jsonResponse, textResponse, type EmulatorResponse, type ReceivedRequest } from './wire.js';

/** The answer, or null when the request is for none of them. */
export function metadataAnswer(request: ReceivedRequest, state: PlatformState): EmulatorResponse | null {
  if (request.path === CREDENTIALS_URI_PATH) {
    const base = { service: 'credentials-uri', provider: 'alibaba-ice', action: 'GetCredentials' } as const;
    if (state.down.has('credentials-uri'))
      return state.record({ ...base, outcome: 'unavailable' }, textResponse(503, 'unavailable', 'unavailable'));
    if (request.method !== 'GET')
      return state.record({ ...base, outcome: 'method' }, textResponse(405, 'GET only', 'method'));
    const { credential, expiresAtMs } = state.issued.issueAlibaba(state.nowMs, state.lifetimeMs);
    return state.record(
      { ...base, outcome: 'ok' },
      jsonResponse(200, { Code: 'Success', ...alibabaFields(credential), Expiration: isoSeconds(expiresAtMs) }, 'ok'),
    );
  }

  // ECS: IMDSv2 session token, then the role name, then its credential (token required).
  if (request.path === '/latest/api/token' || request.path.startsWith('/latest/meta-data/ram/security-credentials/')) {
    const provider = 'alibaba-ice';
    const unavailable = (action: string): EmulatorResponse =>
      state.record(
        { service: 'metadata', provider, action, outcome: 'unavailable' },
        textResponse(503, 'unavailable', 'unavailable'),
      );
    if (request.path === '/latest/api/token') {
      const action = 'MetadataToken';
      if (state.down.has('metadata')) return unavailable(action);
      if (request.method !== 'PUT' || !request.headers['x-aliyun-ecs-metadata-token-ttl-seconds']) {
        return state.record(
          { service: 'metadata', provider, action, outcome: 'bad-request' },
          textResponse(400, 'PUT with a ttl header', 'bad-request'),
        );
      }
      const token = `emu-imds-${randomUUID()}`;
      state.imdsTokens.add(token);
      return state.record({ service: 'metadata', provider, action, outcome: 'ok' }, textResponse(200, token, 'ok'));
    }
    const role = decodeURIComponent(request.path.slice('/latest/meta-data/ram/security-credentials/'.length));
    const action = role === '' ? 'RoleName' : 'RoleCredentials';
    if (state.down.has('metadata')) return unavailable(action);
    if (!state.imdsTokens.has(request.headers['x-aliyun-ecs-metadata-token'] ?? '')) {
      return state.record(
        { service: 'metadata', provider, action, outcome: 'unauthorized' },
        textResponse(401, 'IMDSv2 token required', 'unauthorized'),
      );
    }
    if (role === '')
      return state.record(
        { service: 'metadata', provider, action, outcome: 'ok' },
        textResponse(200, ECS_ROLE_NAME, 'ok'),
      );
    if (role !== ECS_ROLE_NAME)
      return state.record(
        { service: 'metadata', provider, action, outcome: 'not-found' },
        textResponse(404, 'not found', 'not-found'),
      );
    const { credential, expiresAtMs } = state.issued.issueAlibaba(state.nowMs, state.lifetimeMs);
    return state.record(
      { service: 'metadata', provider, action, outcome: 'ok' },
      jsonResponse(
        200,
        {
          Code: 'Success',
          ...alibabaFields(credential),
          Expiration: isoSeconds(expiresAtMs),
          LastUpdated: isoSeconds(state.nowMs),
        },
        'ok',
      ),
    );
  }

  if (request.path.startsWith('/latest/meta-data/cam/security-credentials/')) {
    const provider = 'tencent-mps';
    const role = decodeURIComponent(request.path.slice('/latest/meta-data/cam/security-credentials/'.length));
    const action = role === '' ? 'RoleName' : 'RoleCredentials';
    if (state.down.has('metadata'))
      return state.record(
        { service: 'metadata', provider, action, outcome: 'unavailable' },
        textResponse(503, 'unavailable', 'unavailable'),
      );
    if (role === '')
      return state.record(
        { service: 'metadata', provider, action, outcome: 'ok' },
        textResponse(200, CVM_ROLE_NAME, 'ok'),
      );
    if (role !== CVM_ROLE_NAME)
      return state.record(
        { service: 'metadata', provider, action, outcome: 'not-found' },
        textResponse(404, 'not found', 'not-found'),
      );
    const { credential, expiresAtMs } = state.issued.issueTencent(state.nowMs, state.lifetimeMs);
    return state.record(
      { service: 'metadata', provider, action, outcome: 'ok' },
      jsonResponse(
        200,
        {
          Code: 'Success',
          ...tencentFields(credential),
          ExpiredTime: Math.floor(expiresAtMs / 1000),
          Expiration: isoSeconds(expiresAtMs),
        },
        'ok',
      ),
    );
  }
  return null;
}
