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

const ECS_TOKEN_PATH = '/latest/api/token';
const ECS_ROLE_PREFIX = '/latest/meta-data/ram/security-credentials/';
const CVM_ROLE_PREFIX = '/latest/meta-data/cam/security-credentials/';

/** The answer, or null when the request is for none of them. */
export function metadataAnswer(request: ReceivedRequest, state: PlatformState): EmulatorResponse | null {
  if (request.path === CREDENTIALS_URI_PATH) return credentialsUriAnswer(request, state);
  // ECS: IMDSv2 session token, then the role name, then its credential (token required).
  if (request.path === ECS_TOKEN_PATH) return ecsTokenAnswer(request, state);
  if (request.path.startsWith(ECS_ROLE_PREFIX)) return ecsRoleAnswer(request, state);
  if (request.path.startsWith(CVM_ROLE_PREFIX)) return cvmRoleAnswer(request, state);
  return null;
}

function credentialsUriAnswer(request: ReceivedRequest, state: PlatformState): EmulatorResponse {
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

type MetadataProvider = 'alibaba-ice' | 'tencent-mps';

/** Records a metadata call with its outcome (the response's own) and returns the response. */
function metadataCall(
  state: PlatformState,
  provider: MetadataProvider,
  action: string,
  response: EmulatorResponse,
): EmulatorResponse {
  return state.record({ service: 'metadata', provider, action, outcome: response.outcome }, response);
}

const unavailable = (): EmulatorResponse => textResponse(503, 'unavailable', 'unavailable');

function ecsTokenAnswer(request: ReceivedRequest, state: PlatformState): EmulatorResponse {
  const action = 'MetadataToken';
  if (state.down.has('metadata')) return metadataCall(state, 'alibaba-ice', action, unavailable());
  if (request.method !== 'PUT' || !request.headers['x-aliyun-ecs-metadata-token-ttl-seconds']) {
    return metadataCall(state, 'alibaba-ice', action, textResponse(400, 'PUT with a ttl header', 'bad-request'));
  }
  const token = `emu-imds-${randomUUID()}`;
  state.imdsTokens.add(token);
  return metadataCall(state, 'alibaba-ice', action, textResponse(200, token, 'ok'));
}

function ecsRoleAnswer(request: ReceivedRequest, state: PlatformState): EmulatorResponse {
  const role = decodeURIComponent(request.path.slice(ECS_ROLE_PREFIX.length));
  const action = role === '' ? 'RoleName' : 'RoleCredentials';
  const answer = (response: EmulatorResponse): EmulatorResponse => metadataCall(state, 'alibaba-ice', action, response);
  if (state.down.has('metadata')) return answer(unavailable());
  if (!state.imdsTokens.has(request.headers['x-aliyun-ecs-metadata-token'] ?? '')) {
    return answer(textResponse(401, 'IMDSv2 token required', 'unauthorized'));
  }
  if (role === '') return answer(textResponse(200, ECS_ROLE_NAME, 'ok'));
  if (role !== ECS_ROLE_NAME) return answer(textResponse(404, 'not found', 'not-found'));
  const { credential, expiresAtMs } = state.issued.issueAlibaba(state.nowMs, state.lifetimeMs);
  const body = {
    Code: 'Success',
    ...alibabaFields(credential),
    Expiration: isoSeconds(expiresAtMs),
    LastUpdated: isoSeconds(state.nowMs),
  };
  return answer(jsonResponse(200, body, 'ok'));
}

function cvmRoleAnswer(request: ReceivedRequest, state: PlatformState): EmulatorResponse {
  const role = decodeURIComponent(request.path.slice(CVM_ROLE_PREFIX.length));
  const action = role === '' ? 'RoleName' : 'RoleCredentials';
  const answer = (response: EmulatorResponse): EmulatorResponse => metadataCall(state, 'tencent-mps', action, response);
  if (state.down.has('metadata')) return answer(unavailable());
  if (role === '') return answer(textResponse(200, CVM_ROLE_NAME, 'ok'));
  if (role !== CVM_ROLE_NAME) return answer(textResponse(404, 'not found', 'not-found'));
  const { credential, expiresAtMs } = state.issued.issueTencent(state.nowMs, state.lifetimeMs);
  const body = {
    Code: 'Success',
    ...tencentFields(credential),
    ExpiredTime: Math.floor(expiresAtMs / 1000),
    Expiration: isoSeconds(expiresAtMs),
  };
  return answer(jsonResponse(200, body, 'ok'));
}
