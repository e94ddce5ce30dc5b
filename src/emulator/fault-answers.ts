/**
 * Faults that do not come from the provider at all but from something in between
 * (load balancer, proxy, captive portal), so their bodies are deliberately not provider JSON.
 */
import type { Fault } from './types.js';
import { textResponse, type EmulatorResponse } from './wire.js';

/** Retry-After only when the test asked for one: its absence is a case clients must handle too. */
export function retryAfterHeader(fault: Fault): Record<string, string> {
  return fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
}

export function unavailableAnswer(fault: Fault): EmulatorResponse {
  return textResponse(503, 'Service Unavailable', 'unavailable', retryAfterHeader(fault));
}

/** HTTP 200 that is not JSON: the case a client must not mistake for a provider answer. */
export function nonJsonAnswer(): EmulatorResponse {
  return textResponse(
    200,
    '<html><head><title>Request verification</title></head><body><p>Please wait while we verify your request.</p></body></html>',
    'non-json',
    { 'content-type': 'text/html; charset=utf-8' },
  );
}
