/**
 * autocannon with the same settings for every target. A fixed body is run by a load generator
 * process of its own (load-generator.ts), on the load generator's cores when the bench pins them
 * (cores.ts); a body made per request (a walk over task ids this process hands out) is run in
 * this process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { pinProcess } from './cores.js';
import { ROOT } from './processes.js';

export interface LoadSettings {
  readonly connections: number;
  readonly durationSeconds: number;
  /** taskset's cpu list for a load generator in its own process; unset: wherever the OS puts it. */
  readonly cores?: string;
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

/** What a load generator process is told: one fixed body. */
export interface LoadSpec {
  readonly url: string;
  readonly body: string;
  readonly expectBody?: string;
  readonly connections: number;
  readonly durationSeconds: number;
}

const GENERATOR = resolve(ROOT, 'dist/bench/bench/load-generator.js');

export function loadOptions(spec: LoadSpec): autocannon.Options {
  return {
    url: spec.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: spec.connections,
    duration: spec.durationSeconds,
    pipelining: 1,
    timeout: 30,
    body: spec.body,
    ...(spec.expectBody !== undefined && { expectBody: spec.expectBody }),
  };
}

export function toLoadResult(result: autocannon.Result): LoadResult {
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    failed: result.errors + result.non2xx + result.mismatches,
  };
}

export async function runLoad(target: LoadTarget, settings: LoadSettings): Promise<LoadResult> {
  if (typeof target.body === 'string' && target.verifyBody === undefined) {
    const spec: LoadSpec = {
      url: target.url,
      body: target.body,
      ...(target.expectBody !== undefined && { expectBody: target.expectBody }),
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
    };
    return runInOwnProcess(spec, settings.cores);
  }
  const nextBody = target.body;
  const verify = target.verifyBody;
  const result = await autocannon({
    // A per-request body replaces the fixed one in setupRequest.
    ...loadOptions({
      url: target.url,
      body: typeof nextBody === 'string' ? nextBody : '',
      ...(target.expectBody !== undefined && { expectBody: target.expectBody }),
      connections: settings.connections,
      durationSeconds: settings.durationSeconds,
    }),
    ...(typeof nextBody === 'function' && {
      requests: [{ setupRequest: (request) => ({ ...request, body: nextBody() }) }],
    }),
    ...(verify !== undefined && { verifyBody: (body: unknown) => verify(String(body)) }),
  });
  return toLoadResult(result);
}

/** One load generator process per core list, for the whole run. */
const generators = new Map<string, ChildProcess>();

function generatorOn(cores: string | undefined): ChildProcess {
  const key = cores ?? '';
  let child = generators.get(key);
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
    child = fork(GENERATOR, [], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    if (cores !== undefined) pinProcess(child.pid!, cores);
    // Between runs it holds nothing open: the bench exits when its work is done.
    child.unref();
    child.channel?.unref();
    generators.set(key, child);
  }
  return child;
}

type GeneratorAnswer =
  { readonly ok: true; readonly result: LoadResult } | { readonly ok: false; readonly error: string };

function runInOwnProcess(spec: LoadSpec, cores: string | undefined): Promise<LoadResult> {
  const child = generatorOn(cores);
  return new Promise((resolveResult, reject) => {
    const onExit = (code: number | null): void => {
      child.off('message', onMessage);
      reject(new Error(`the load generator exited (${code}) during a run against ${spec.url}`));
    };
    const onMessage = (answer: GeneratorAnswer): void => {
      child.off('exit', onExit);
      child.channel?.unref();
      if (answer.ok) resolveResult(answer.result);
      else reject(new Error(`load generator failed against ${spec.url}: ${answer.error}`));
    };
    child.once('message', onMessage);
    child.once('exit', onExit);
    child.channel?.ref();
    child.send(spec);
  });
}
