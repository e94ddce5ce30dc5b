/**
 * Output URLs signed at answer time, as the provider does: each recognised signed form
 * (COS `q-sign-time`/`q-key-time`, VOD `t`, S3 `X-Amz-Date`) is made valid from now for the
 * emulator's signed URL lifetime. The signature itself stays a placeholder: nothing checks it.
 */
import { isJsonObject, type JsonObject } from './json.js';

export const DEFAULT_SIGNED_URL_LIFETIME_SECONDS = 3600;

function basicIsoDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

export function signUrl(url: string, nowMs: number, lifetimeSeconds: number): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const params = parsed.searchParams;
  const start = Math.floor(nowMs / 1000);
  const end = start + lifetimeSeconds;
  for (const name of ['q-sign-time', 'q-key-time']) if (params.has(name)) params.set(name, `${start};${end}`);
  if (params.has('t') && params.has('sign')) params.set('t', end.toString(16));
  if (params.has('X-Amz-Signature')) {
    params.set('X-Amz-Date', basicIsoDate(start * 1000));
    params.set('X-Amz-Expires', String(lifetimeSeconds));
  }
  return parsed.toString();
}

/** A copy of an MPS task whose results' `Output.SignedUrl` are signed for now. */
export function signImageTaskUrls(task: JsonObject, nowMs: number, lifetimeSeconds: number): JsonObject {
  const results = task['ImageProcessTaskResultSet'];
  if (!Array.isArray(results)) return task;
  return {
    ...task,
    ImageProcessTaskResultSet: results.map((result) => {
      if (!isJsonObject(result) || !isJsonObject(result['Output'])) return result;
      const output = result['Output'];
      const url = output['SignedUrl'];
      return typeof url === 'string'
        ? { ...result, Output: { ...output, SignedUrl: signUrl(url, nowMs, lifetimeSeconds) } }
        : result;
    }),
  };
}
