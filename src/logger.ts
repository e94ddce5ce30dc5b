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
  // Asynchronous stdout: under load, lines queued while a write is in flight go out in one
  // syscall instead of one each (see docs/BENCHMARKS.md); idle, a line is written at once.
  // index.ts flushes before the process exits.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}
