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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'media-task-subgraph' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
