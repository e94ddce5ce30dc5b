/**
 * stop() as a named sequence, run in this order. Not ready first, listener still open: load
 * balancers see 503 on /ready and stop sending, requests that still arrive are served. Then
 * subscriptions end cleanly (each stream completes, sockets close 1001), since upgraded sockets
 * never go idle and the HTTP drain would wait on them; last, Apollo's drain closes the listener,
 * ends idle keep-alive sockets and waits for in-flight requests (ApolloServerPluginDrainHttpServer).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

export interface ShutdownParts {
  readonly markNotReady: () => void;
  /** How long /ready answers 503, listener still open, before the rest (SHUTDOWN_DELAY_MS). */
  readonly delayMs: number;
  readonly callbacks: { drain(): Promise<void> };
  readonly watches: { close(): void };
  readonly ws: { dispose(): Promise<void> };
  readonly apollo: { stop(): Promise<void> };
}

export interface ShutdownStep {
  readonly name: string;
  run(): Promise<void> | void;
}

export function shutdownSteps(parts: ShutdownParts): readonly ShutdownStep[] {
  return [
    { name: 'not ready', run: parts.markNotReady },
    {
      name: 'delay',
      run: () => (parts.delayMs > 0 ? new Promise<void>((resolve) => setTimeout(resolve, parts.delayMs)) : undefined),
    },
    // Heartbeats stopped before their `complete` (callback-transport.ts says why).
    { name: 'callback subscriptions', run: () => parts.callbacks.drain() },
    // Every stream left (WebSocket ones) completes, and its `complete` is sent before the sockets close.
    { name: 'subscriptions', run: () => parts.watches.close() },
    { name: 'completions sent', run: () => nextTurn() },
    { name: 'websockets', run: () => parts.ws.dispose() },
    { name: 'http drain', run: () => parts.apollo.stop() },
  ];
}

export function shutdownSequence(parts: ShutdownParts): () => Promise<void> {
  const steps = shutdownSteps(parts);
  return async () => {
    for (const step of steps) {
      const running = step.run();
      if (running) await running;
    }
  };
}
