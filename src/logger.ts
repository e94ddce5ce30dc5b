/**
 * Structured JSON logs. Anything that could carry a credential is redacted by path,
 * so a careless `logger.info({ config })` still cannot print a secret key.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export const REDACTED_PATHS = [
  '*.secretKey',
  '*.accessKeySecret',
  '*.sessionToken',
  '*.securityToken',
  '*.credentials',
  'credentials',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-tc-token"]',
  'headers["x-acs-security-token"]',
  'headers["router-authorization"]',
];

export interface LoggerOptions {
  /** Further lower-case header names to redact, e.g. a configured SUBGRAPH_SHARED_SECRET_HEADER. */
  readonly redactHeaders?: readonly string[];
}

export function createLogger(level: string, destination?: DestinationStream, extra: LoggerOptions = {}): Logger {
  const headerPaths = (extra.redactHeaders ?? []).flatMap((name) => [`headers["${name}"]`, `*.headers["${name}"]`]);
  const paths = [...new Set([...REDACTED_PATHS, ...headerPaths])];
  const options = { level, base: { service: 'media-task-subgraph' }, redact: { paths, censor: '[redacted]' } };
  return pino(options, destination ?? stdoutDestination());
}

export interface StdoutDestinationOptions {
  /** Told once, when stdout fails and logs start being dropped (index.ts says so on stderr). */
  readonly onLost?: (error: Error) => void;
}

/**
 * Asynchronous stdout: under load, lines queued while a write is in flight go out in one
 * syscall instead of one each (see docs/BENCHMARKS.md); idle, a line is written at once.
 * index.ts flushes before the process exits.
 *
 * A log destination that goes away must never stop the service. When stdout's reader exits
 * (`npm start | head`, a dead log shipper) writes fail with EPIPE; sonic-boom then emits an
 * error, and its flushSync, which pino calls from its exit hook, retries a failed write
 * forever (only EAGAIN is meant to be retried), blocking the event loop: no request, no
 * probe and no SIGTERM handler runs again. So on the first write error of any kind the
 * destination gives up: every later line is dropped, flush answers at once, and the exit
 * hook has nothing to spin on. A broken stdout does not come back, so there is nothing to retry.
 */
/** What pino needs of a destination to flush it (logger.flush) and at exit. */
export interface FlushableDestination extends DestinationStream {
  flush(cb?: (error?: Error) => void): void;
  flushSync(): void;
}

/** Log bytes waiting for stdout, at most; see stdoutDestination. */
export const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;

export function stdoutDestination(options: StdoutDestinationOptions = {}): FlushableDestination {
  // Bounded: when stdout drains slower than lines are written (a stalled reader, a full pipe), lines
  // past this many queued bytes are dropped rather than held in memory without limit.
  const sonic = pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_MAX_BYTES });
  let lost = false;
  sonic.on('error', (error: Error) => {
    if (lost) return;
    lost = true;
    // Replaced on the instance, the way pino's own EPIPE filter does, because pino's exit hook
    // holds the sonic-boom instance itself, not this wrapper.
    sonic.write = () => true;
    sonic.flushSync = () => undefined;
    sonic.end = () => undefined;
    options.onLost?.(error);
  });
  return {
    write: (line) => {
      if (!lost) sonic.write(line);
    },
    // pino's logger.flush(cb) calls this; a lost stdout has nothing left to flush.
    flush: (cb) => {
      if (lost) cb?.();
      else sonic.flush(cb);
    },
    flushSync: () => {
      if (!lost) sonic.flushSync();
    },
  };
}
