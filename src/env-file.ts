/**
 * Reads `.env` from the working directory into process.env when it exists, before the config
 * is read; a variable already set in the environment wins over the file.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const ENV_FILE = '.env';

/** The names the file set (values never leave this function), or null when there is no file. */
export function loadEnvFile(path: string = resolve(ENV_FILE)): string[] | null {
  if (!existsSync(path)) return null;
  const before = new Set(Object.keys(process.env));
  // process.loadEnvFile (Node >= 20.12) parses the file and leaves variables already set alone.
  process.loadEnvFile(path);
  return Object.keys(process.env).filter((name) => !before.has(name));
}
