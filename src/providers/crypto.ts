import { createHash, createHmac } from 'node:crypto';

/** Lowercase hex SHA-256 of a string (UTF-8) or of exact bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: string | Uint8Array, message: string): Buffer {
  return createHmac('sha256', key).update(message, 'utf8').digest();
}

export function hmacSha256Hex(key: string | Uint8Array, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('hex');
}

/** Header values are signed trimmed, and a header listed twice would be ambiguous: normalise names once. */
export function lowercaseHeaderMap(headers: Readonly<Record<string, string>>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) map.set(name.toLowerCase(), value.trim());
  return map;
}

/** `name:value\n` per header in ASCII order of the lowercase name, plus the `;`-joined name list. */
export function canonicalHeaders(headers: Map<string, string>): { canonical: string; signedHeaders: string } {
  const names = [...headers.keys()].sort();
  return {
    canonical: names.map((name) => `${name}:${headers.get(name) ?? ''}\n`).join(''),
    signedHeaders: names.join(';'),
  };
}
