/**
 * The emulator's HTTP server: reads each request whole, logs it, applies any injected
 * fault, then lets the provider handler answer. Nothing listens at import time; tests
 * start one per suite on port 0.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CallLog } from './call-log.js';
import { CONTROL_PREFIX, controlAnswer } from './control.js';
import { credentialBook } from './credentials.js';
import { nonJsonAnswer, unavailableAnswer } from './fault-answers.js';
import { DEFAULT_LATENCY_MS, FaultRegistry } from './faults.js';
import { NonceLedger } from './nonce-ledger.js';
import { createPlatform } from './platform.js';
import type { HandlerContext } from './provider.js';
import { routeProvider } from './routing.js';
import { DEFAULT_SIGNED_URL_LIFETIME_SECONDS } from './signed-urls.js';
import { TaskStore } from './task-store.js';
import { imageTaskProgression, workflowTaskProgression } from './task-scripts.js';
import type { EmulatorOptions, ProviderId, RunningEmulator } from './types.js';
import { textResponse, toReceivedRequest, type EmulatorResponse } from './wire.js';

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? '127.0.0.1';
  const now = options.now ?? Date.now;
  const platform = createPlatform();
  const credentials = platform.book(credentialBook(options));
  const tasks = new TaskStore();
  const nonces = new NonceLedger();
  const log = new CallLog();
  const faults = new FaultRegistry();
  // Tracked so close() can end keep-alive, hung and delayed requests instead of waiting for them.
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing: Promise<void> | null = null;

  const signedUrlLifetimeSeconds = options.signedUrlLifetimeSeconds ?? DEFAULT_SIGNED_URL_LIFETIME_SECONDS;
  const context = (): HandlerContext => ({ credentials, tasks, nonces, nowMs: now(), signedUrlLifetimeSeconds, newRequestId: randomUUID });

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
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
    putWorkflowTask: (taskId, workflowTask) => changed('alibaba-ice', taskId, tasks.putWorkflowTask(taskId, workflowTask)),
    scriptTask: (provider, taskId, steps, scriptOptions) =>
      changed(
        provider,
        taskId,
        tasks.scripts.set(provider, taskId, steps ?? (provider === 'tencent-mps' ? imageTaskProgression() : workflowTaskProgression(taskId)), scriptOptions),
      ),
    advanceTask: (provider, taskId) => changed(provider, taskId, tasks.scripts.advance(provider, taskId)),
    onTaskChange: (listener) => {
      changeListeners.add(listener);
      return () => void changeListeners.delete(listener);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Taken before the body is read: a provider counts a request against its quota when it arrives.
    const receivedAt = now();
    const request = toReceivedRequest(req, await readBody(req));

    const platformAnswer = platform.answer(request, receivedAt);
    if (platformAnswer) {
      send(res, platformAnswer);
      return;
    }
    if (request.path.startsWith(CONTROL_PREFIX)) {
      send(res, controlAnswer(request, { ...emulator, calls: (filter) => log.all(filter), callCount: (filter) => log.count(filter) }));
      return;
    }
    const handler = routeProvider(request);
    if (!handler) {
      send(res, textResponse(400, 'Neither X-TC-Action (Tencent MPS) nor x-acs-action (Alibaba ICE) was sent.', 'unroutable'));
      return;
    }

    const { action, taskId } = handler.identify(request);
    const call = log.record({
      provider: handler.provider,
      action,
      taskId,
      method: request.method,
      url: request.url,
      headers: { ...request.headers },
      body: request.body.toString('utf8'),
      receivedAt,
    });
    const answer = (response: EmulatorResponse): void => {
      call.settle(response.outcome);
      send(res, response);
    };

    const fault = faults.take(handler.provider, taskId);
    switch (fault?.kind) {
      case undefined:
        break;
      case 'latency':
        // The answer after the wait is the normal one, so the log records its real outcome.
        await delay(fault.latencyMs ?? DEFAULT_LATENCY_MS);
        if (closing) return;
        break;
      case 'throttle':
      case 'internal-error':
        answer(handler.faultAnswer(fault.kind, fault, request, context()));
        return;
      case 'unavailable':
        answer(unavailableAnswer(fault));
        return;
      case 'non-json':
        answer(nonJsonAnswer());
        return;
      case 'drop-connection':
        call.settle(fault.kind);
        req.socket.destroy();
        return;
      case 'hang':
        // Never answered: the client times out, or close() destroys the socket.
        call.settle(fault.kind);
        return;
    }
    answer(handler.answer(request, context()));
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      // A bug in the emulator must look like one, not like a provider error code.
      send(res, textResponse(500, `emulator error: ${error instanceof Error ? error.message : String(error)}`, 'emulator-error'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  emulator.url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  emulator.controlsUrl = `${emulator.url}${CONTROL_PREFIX}`;
  return emulator;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: EmulatorResponse): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string | number> = { ...response.headers };
  if (response.status !== 204) headers['content-length'] = Buffer.byteLength(response.body);
  res.writeHead(response.status, headers);
  res.end(response.status === 204 ? undefined : response.body);
}
