/**
 * Where an MPS image task reads from (`InputInfo`) and writes to (`OutputStorage`), typed. Each
 * branch (COS, URL, AWS-S3, VOD) is read on its own, `Type` reported as sent; unused branches may be
 * null or objects of empty strings. S3 keys echoed by the provider have no field in the models and
 * are stripped from the JSON `source`, so they never reach a client.
 */

import type {
  ImageInputModel,
  ImageObjectLocationModel,
  ImageStorageModel,
  ImageVodLocationModel,
  JsonValue,
} from './models.js';
import { isRecord } from './json-value.js';
import { parseJsonField } from './json-field.js';
import { stripSecrets } from './secrets.js';
import { asNumber, asString } from './scalars.js';

type Fields = Readonly<Record<string, unknown>>;

/**
 * A provider object field, decoded when it came as JSON text (some SDKs
 * stringify nested objects), or null. Text that is not JSON is dropped rather
 * than returned: it could carry the very secrets this module must not echo.
 */
function objectOf(value: unknown): Fields | null {
  if (isRecord(value)) return value;
  if (typeof value !== 'string') return null;
  const parsed = parseJsonField(value);
  return parsed.ok && isRecord(parsed.value) ? parsed.value : null;
}

/** The same object as JSON with secrets removed, for the `source`/`storage` fields. */
export function strippedJson(value: unknown): JsonValue | null {
  const parsed = parseJsonField(value);
  return parsed.ok ? stripSecrets(parsed.value) : null;
}

/**
 * An int64 id (Definition, SubAppId) as text: ids are not quantities, and an
 * int64 can exceed both GraphQL's Int and a double's exact range. A numeric
 * string is kept as sent; a number is printed with all its digits.
 */
export function integerText(value: unknown): string | null {
  if (typeof value === 'string') {
    const text = value.trim();
    return /^[+-]?\d+$/.test(text) ? text : null;
  }
  if (typeof value === 'number' && Number.isInteger(value)) {
    return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  }
  return null;
}

/** VodBasic: 1 = VOD standard edition, 0 = not; anything else (absent = professional) is null. */
function vodBasicOf(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  const n = asNumber(value);
  return n === 1 ? true : n === 0 ? false : null;
}

function cosLocation(value: unknown): ImageObjectLocationModel | null {
  const o = objectOf(value);
  return o && { bucket: asString(o.Bucket), region: asString(o.Region), object: asString(o.Object) };
}

function s3Location(value: unknown): ImageObjectLocationModel | null {
  const o = objectOf(value);
  return o && { bucket: asString(o.S3Bucket), region: asString(o.S3Region), object: asString(o.S3Object) };
}

function vodLocation(value: unknown): ImageVodLocationModel | null {
  const o = objectOf(value);
  return (
    o && {
      bucket: asString(o.Bucket),
      region: asString(o.Region),
      object: asString(o.Object),
      subAppId: integerText(o.SubAppId),
      vodBasic: vodBasicOf(o.VodBasic),
      fileId: asString(o.FileId),
    }
  );
}

export function parseImageInput(value: unknown): ImageInputModel | null {
  const o = objectOf(value);
  if (o === null) return null;
  return {
    type: asString(o.Type),
    cos: cosLocation(o.CosInputInfo),
    url: asString(objectOf(o.UrlInputInfo)?.Url),
    s3: s3Location(o.S3InputInfo),
    vod: vodLocation(o.VODInputInfo),
    source: strippedJson(o),
  };
}

/**
 * OutputStorage flattened: bucket and region come from the branch `Type`
 * names (COS, AWS-S3, VOD). With no or an unknown Type, the only non-null
 * branch is used when there is exactly one; otherwise they are null and the
 * JSON `storage` beside this field still has everything.
 */
export function parseImageStorage(value: unknown): ImageStorageModel | null {
  const o = objectOf(value);
  if (o === null) return null;
  const type = asString(o.Type);
  const branches = {
    COS: cosLocation(o.CosOutputStorage),
    'AWS-S3': s3Location(o.S3OutputStorage),
    VOD: vodLocation(o.VODOutputStorage),
  } as const;
  const named =
    type === null ? undefined : Object.entries(branches).find(([kind]) => kind === type.trim().toUpperCase())?.[1];
  const present = Object.values(branches).filter((branch) => branch !== null);
  const branch = named !== undefined ? named : present.length === 1 ? (present[0] ?? null) : null;
  const vod = branch !== null && branch === branches.VOD ? branches.VOD : null;
  return {
    type,
    bucket: branch?.bucket ?? null,
    region: branch?.region ?? null,
    subAppId: vod?.subAppId ?? null,
    vodBasic: vod?.vodBasic ?? null,
  };
}
