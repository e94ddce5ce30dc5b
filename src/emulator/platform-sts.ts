/**
 * STS of both clouds as the emulated platform serves it: Alibaba AssumeRoleWithOIDC (RPC,
 * anonymous, form body) and Tencent AssumeRoleWithWebIdentity (API 3.0, `Authorization: SKIP`).
 */
import { randomUUID } from 'node:crypto';
import { isJsonObject, tryParseJson } from './json.js';
import { alibabaFields, isoSeconds, tencentFields, type PlatformState } from './platform-types.js';
import { decodeQuery, jsonResponse, type EmulatorResponse, type ReceivedRequest } from './wire.js';

/** The STS answer, or null when the request is no STS call. */
export function stsAnswer(request: ReceivedRequest, state: PlatformState): EmulatorResponse | null {
  const query = decodeQuery(request.rawQuery);
  // Alibaba STS, RPC style: the action is in the query, the parameters in a form body.
  if (request.path === '/' && query['Action'] === 'AssumeRoleWithOIDC') {
    const action = 'AssumeRoleWithOIDC';
    const form = decodeQuery(request.body.toString('utf8'));
    const oidcToken = form['OIDCToken'] ?? '';
    const fail = (status: number, code: string, message: string): EmulatorResponse =>
      state.record(
        { service: 'sts', provider: 'alibaba-ice', action, outcome: code, oidcToken },
        jsonResponse(
          status,
          { RequestId: randomUUID().toUpperCase(), HostId: 'sts.aliyuncs.com', Code: code, Message: message },
          code,
        ),
      );
    if (state.down.has('sts'))
      return fail(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.');
    if (request.method !== 'POST') return fail(400, 'UnsupportedHTTPMethod', 'AssumeRoleWithOIDC is served as POST.');
    for (const name of ['OIDCProviderArn', 'RoleArn', 'OIDCToken'] as const) {
      if (!form[name]) return fail(400, `Missing${name}`, `${name} is mandatory for this action.`);
    }
    if (state.oidcTokens !== null && !state.oidcTokens.has(oidcToken)) {
      return fail(400, 'AuthenticationFail.OIDCToken.Invalid', 'The OIDC token is invalid or has expired.');
    }
    const { credential, expiresAtMs } = state.issued.issueAlibaba(state.nowMs, state.lifetimeMs);
    return state.record(
      { service: 'sts', provider: 'alibaba-ice', action, outcome: 'ok', oidcToken },
      jsonResponse(
        200,
        {
          RequestId: randomUUID().toUpperCase(),
          Credentials: { ...alibabaFields(credential), Expiration: isoSeconds(expiresAtMs) },
          AssumedRoleUser: {
            Arn: `${form['RoleArn']}/media-task-subgraph`,
            AssumedRoleId: '300000000000000000:media-task-subgraph',
          },
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
      state.record(
        { service: 'sts', provider: 'tencent-mps', action, outcome: code, oidcToken },
        jsonResponse(status, { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } }, code),
      );
    if (state.down.has('sts')) return fail(503, 'InternalError', 'An internal error has occurred. Retry your request.');
    if (request.method !== 'POST' || request.path !== '/') return fail(200, 'UnsupportedOperation', 'POST / only.');
    for (const name of ['ProviderId', 'RoleArn', 'WebIdentityToken', 'RoleSessionName'] as const) {
      if (typeof params[name] !== 'string' || params[name] === '')
        return fail(200, 'MissingParameter', `The request is missing ${name}.`);
    }
    if (state.oidcTokens !== null && !state.oidcTokens.has(oidcToken)) {
      return fail(200, 'InvalidParameter.WebIdentityTokenError', 'The WebIdentityToken is invalid or has expired.');
    }
    const { credential, expiresAtMs } = state.issued.issueTencent(state.nowMs, state.lifetimeMs);
    return state.record(
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

  return null;
}
