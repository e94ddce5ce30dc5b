/**
 * Removing the caller's own credentials from provider echoes. Tencent echoes
 * the task's storage configuration, which for AWS-S3 targets includes the
 * upload key pair (S3OutputStorage.S3SecretId / S3SecretKey). They are the
 * customer's secrets, never ours to hand to GraphQL clients or caches.
 */

import type { JsonObject, JsonValue } from './models.js';
import { defineKey, isJsonObject } from './json-value.js';

/**
 * Lowercased key names that are removed wherever they appear. Matching ignores
 * case because a secret spelled `s3SecretKey` is still a secret.
 * `S3SessionToken` is not in this API's doc, but it is the same credential
 * family (temporary AWS keys come with a token) and costs nothing to drop.
 */
const SECRET_KEYS: ReadonlySet<string> = new Set(['s3secretid', 's3secretkey', 's3sessiontoken']);

export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(key.toLowerCase());
}

/** A copy of `value` with every secret key removed at any depth (inside arrays too). */
export function stripSecrets(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(stripSecrets);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, member] of Object.entries(value)) {
    if (!isSecretKey(key)) defineKey(out, key, stripSecrets(member));
  }
  return out;
}
