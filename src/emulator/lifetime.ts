/**
 * What the emulator's close() must end rather than wait for: keep-alive sockets, hung
 * requests and pending latency timers, so test runners exit.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ServerLifetime {
  /** Resolves after `ms`, unless close() clears the timer first. */
  delay(ms: number): Promise<void>;
  /** True once close() has been called. */
  closing(): boolean;
  /** Stops listening and destroys every open socket; the same promise on every call. */
  close(): Promise<void>;
}

export function trackLifetime(server: Server): ServerLifetime {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closing: Promise<void> | null = null;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    delay: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
    closing: () => closing !== null,
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
}
