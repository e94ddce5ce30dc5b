/**
 * Both providers share one port, as a single upstream URL keeps the subgraph's config
 * simple. A request belongs to Tencent when it carries X-TC-Action, to Alibaba when it
 * carries x-acs-action; failing that, any X-TC-* / x-acs-* header or the Authorization
 * algorithm decides, so a client that forgot the action still gets the provider's error.
 */
import { alibabaHandler } from './alibaba-handler.js';
import type { ProviderHandler } from './provider.js';
import { tencentHandler } from './tencent-handler.js';
import type { ReceivedRequest } from './wire.js';

export function routeProvider(request: ReceivedRequest): ProviderHandler | null {
  const { headers } = request;
  if (headers['x-tc-action'] !== undefined) return tencentHandler;
  if (headers['x-acs-action'] !== undefined) return alibabaHandler;
  const names = Object.keys(headers);
  const authorization = headers['authorization'] ?? '';
  if (authorization.startsWith('TC3-') || names.some((name) => name.startsWith('x-tc-'))) return tencentHandler;
  if (authorization.startsWith('ACS3-') || names.some((name) => name.startsWith('x-acs-'))) return alibabaHandler;
  return null;
}
