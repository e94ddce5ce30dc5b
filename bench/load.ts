/** autocannon, driven programmatically with the same settings for every target. */
import autocannon from 'autocannon';

export interface LoadSettings {
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Connection errors, timeouts, non-2xx answers and bodies other than expected, added up. */
  readonly failed: number;
}

export interface LoadTarget {
  readonly url: string;
  /** One fixed body, or one per request (autocannon's setupRequest). */
  readonly body: string | (() => string);
  /** When set, an answer with any other body counts as failed. */
  readonly expectBody?: string;
  /** When set, an answer it rejects counts as failed (for bodies that vary per request). */
  readonly verifyBody?: (body: string) => boolean;
}

export async function runLoad(target: LoadTarget, settings: LoadSettings): Promise<LoadResult> {
  const fixedBody = typeof target.body === 'string' ? target.body : undefined;
  const nextBody = typeof target.body === 'function' ? target.body : undefined;
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: settings.connections,
    duration: settings.durationSeconds,
    pipelining: 1,
    timeout: 30,
    ...(fixedBody !== undefined && { body: fixedBody }),
    ...(nextBody !== undefined && { requests: [{ setupRequest: (request) => ({ ...request, body: nextBody() }) }] }),
    ...(target.expectBody !== undefined && { expectBody: target.expectBody }),
    ...(target.verifyBody !== undefined && { verifyBody: (body: unknown) => target.verifyBody!(String(body)) }),
  });
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    failed: result.errors + result.non2xx + result.mismatches,
  };
}
