/**
 * The emulator's HTTP server: assembles the task store, call log, faults and platform, and
 * listens; each request is served by serve.ts. Nothing listens at import time; tests start
 * one per suite on port 0.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './call-log.js';
import { CONTROL_PREFIX } from './control.js';
import { credentialBook } from './credentials.js';
import { FaultRegistry } from './faults.js';
import { trackLifetime } from './lifetime.js';
import { NonceLedger } from './nonce-ledger.js';
import { createPlatform } from './platform.js';
import type { HandlerContext } from './provider.js';
import { send, serve } from './serve.js';
import { DEFAULT_SIGNED_URL_LIFETIME_SECONDS } from './signed-urls.js';
import { TaskStore } from './task-store.js';
import { imageTaskProgression, workflowTaskProgression } from './task-scripts.js';
import type { EmulatorOptions, ProviderId, RunningEmulator } from './types.js';
import { textResponse } from './wire.js';

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const platform = createPlatform();
  const credentials = platform.book(credentialBook(options));
  const tasks = new TaskStore();
  const nonces = new NonceLedger();
  const log = new CallLog();
  const faults = new FaultRegistry();
  const server = createServer();
  const lifetime = trackLifetime(server);

  const signedUrlLifetimeSeconds = options.signedUrlLifetimeSeconds ?? DEFAULT_SIGNED_URL_LIFETIME_SECONDS;
  const context = (): HandlerContext => ({
    credentials,
    tasks,
    nonces,
    nowMs: now(),
    signedUrlLifetimeSeconds,
    newRequestId: randomUUID,
  });

  const changeListeners = new Set<(provider: ProviderId, taskId: string) => void>();
  const changed = <R>(provider: ProviderId, taskId: string, result: R): R => {
    for (const listener of changeListeners) listener(provider, taskId);
    return result;
  };

  const emulator: RunningEmulator = {
    url: '',
    controlsUrl: '',
    platform,
    injectFault: (target, fault) => faults.inject(target, fault),
    clearFaults: () => faults.clear(),
    callCount: (filter) => log.count(filter),
    calls: () => log.all(),
    resetCalls: () => log.reset(),
    putImageTask: (taskId, response) => changed('tencent-mps', taskId, tasks.putImageTask(taskId, response)),
    putWorkflowTask: (taskId, workflowTask) =>
      changed('alibaba-ice', taskId, tasks.putWorkflowTask(taskId, workflowTask)),
    scriptTask: (provider, taskId, steps, scriptOptions) =>
      changed(
        provider,
        taskId,
        tasks.scripts.set(
          provider,
          taskId,
          steps ?? (provider === 'tencent-mps' ? imageTaskProgression() : workflowTaskProgression(taskId)),
          scriptOptions,
        ),
      ),
    advanceTask: (provider, taskId) => changed(provider, taskId, tasks.scripts.advance(provider, taskId)),
    onTaskChange: (listener) => {
      changeListeners.add(listener);
      return () => void changeListeners.delete(listener);
    },
    close: () => lifetime.close(),
  };

  const control = { ...emulator, calls: log.all.bind(log), callCount: log.count.bind(log) };
  const deps = { now, platform, control, log, faults, context, delay: lifetime.delay, closing: lifetime.closing };
  server.on('request', (req, res) => {
    serve(deps, req, res).catch((error: unknown) => {
      // A bug in the emulator must look like one, not like a provider error code.
      send(
        res,
        textResponse(
          500,
          `emulator error: ${error instanceof Error ? error.message : String(error)}`,
          'emulator-error',
        ),
      );
    });
  });

  const port = await listen(server, options.port ?? 0, host);
  emulator.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  emulator.controlsUrl = `${emulator.url}${CONTROL_PREFIX}`;
  return emulator;
}

/** Resolves with the port bound (the one asked for, or the one the system chose for 0). */
function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
