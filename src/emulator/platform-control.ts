/**
 * The platform's controls over HTTP, for tools that run the emulator in another process.
 *
 *   POST /__emulator/platform/lifetime {"seconds"}          lifetime of what is issued next
 *   POST /__emulator/platform/down     {"service","down"}    sts | credentials-uri | metadata
 *   POST /__emulator/platform/revoke   {"provider","id"?}    {"revoked":n}
 *   POST /__emulator/platform/oidc-tokens {"tokens":[...]|null}
 *   GET  /__emulator/platform/calls?service=&provider=&action=   {"count":n,"calls":[...]}
 *   DELETE /__emulator/platform/calls
 */
import { isJsonObject, tryParseJson } from './json.js';
import {
  PLATFORM_CONTROL_PREFIX,
  PLATFORM_SERVICES,
  type PlatformControls,
  type PlatformService,
} from './platform-types.js';
import type { ProviderId } from './types.js';
import { decodeQuery, jsonResponse, textResponse, type EmulatorResponse, type ReceivedRequest } from './wire.js';

export function platformControlAnswer(request: ReceivedRequest, controls: PlatformControls): EmulatorResponse {
  const route = `${request.method} ${request.path.slice(PLATFORM_CONTROL_PREFIX.length)}`;
  const body = tryParseJson(request.body.toString('utf8'));
  const params = isJsonObject(body) ? body : {};
  const bad = (error: string): EmulatorResponse => jsonResponse(400, { error }, 'control');
  const isProvider = (value: unknown): value is ProviderId => value === 'tencent-mps' || value === 'alibaba-ice';
  switch (route) {
    case 'POST lifetime': {
      const seconds = params['seconds'];
      if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1)
        return bad('seconds must be a positive integer');
      controls.setLifetime(seconds * 1000);
      return textResponse(204, '', 'control');
    }
    case 'POST down': {
      const service = params['service'];
      if (!PLATFORM_SERVICES.includes(service as PlatformService))
        return bad(`service must be one of ${PLATFORM_SERVICES.join(', ')}`);
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
      if (tokens !== null && !(Array.isArray(tokens) && tokens.every((t) => typeof t === 'string')))
        return bad('tokens must be an array of strings or null');
      controls.acceptOidcTokens(tokens as string[] | null);
      return textResponse(204, '', 'control');
    }
    case 'GET calls': {
      const query = decodeQuery(request.rawQuery);
      const filter = {
        ...(PLATFORM_SERVICES.includes(query['service'] as PlatformService) && {
          service: query['service'] as PlatformService,
        }),
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
