/**
 * A shared HTTP cache in front of Express and Apollo Server: a repeat of the exact POSTed bytes (and
 * Accept header) is answered with the exact bytes sent before, for as long as that answer's own
 * Cache-Control allows. Only requests whose answer depends on nothing but those take part; every
 * miss goes to Express with its body already parsed. What is stored: freshness.ts.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { LRUCache } from 'lru-cache';
import { getOperationAST, parse } from 'graphql';
import { sharedFreshness, type Freshness } from './freshness.js';

export interface EdgeCacheOptions {
  /** Bound on stored bytes (keys, bodies, headers); 0 turns the cache off. */
  readonly maxBytes: number;
  /** Requests announcing a larger body are left to Express, which refuses them. */
  readonly bodyLimitBytes: number;
  /** Exact request paths served by GraphQL. */
  readonly paths: readonly string[];
  /** Milliseconds on a steady clock (server.ts: performance.now), for ages, expiry and durations. */
  readonly now: () => number;
  /** False for a request that must not be answered here (e.g. missing router secret): Express decides. */
  readonly admits: (req: IncomingMessage) => boolean;
  /** The request id every response carries (x-request-id). */
  readonly requestId: (req: IncomingMessage) => string;
  /** A body that is not JSON: answer it as Express's body-parser error path would. */
  readonly onBadBody: (req: IncomingMessage, res: ServerResponse, requestId: string) => void;
  /** After a hit was answered: for the request log and metrics. */
  readonly onHit: (hit: EdgeCacheHit) => void;
}

export interface EdgeCacheHit {
  readonly requestId: string;
  readonly operationName: string | null;
  /** From the request reaching the cache to the answer handed to the socket. */
  readonly durationMs: number;
}

/** Request bodies parsed here are handed to Express on this property, where body-parser leaves them. */
export type RequestWithBody = IncomingMessage & { body?: unknown };

interface StoredAnswer {
  readonly body: Buffer;
  readonly headers: OutgoingHttpHeaders;
  /**
   * The headers of every hit as one flat [name, value, ...] list for writeHead, built once
   * when the answer is stored: the stored headers, content-length, then x-request-id and age,
   * whose values (at HIT_REQUEST_ID and HIT_AGE from the end) each hit writes in before
   * writeHead reads the list, synchronously. A hit then builds no header object at all.
   */
  readonly hitHeaders: string[];
  /**
   * The operation's name for the log line of hits; undefined until the first hit works it out
   * from the request body. Most stored answers of a walk over many tasks are never hit, and the
   * parse it takes was the largest part of storing an answer in CPU profiles of uncached requests.
   */
  operationName: string | null | undefined;
  /** `now()` when the answer was stored, `ageSeconds` old. */
  readonly storedAt: number;
  readonly ageSeconds: number;
  readonly expiresAt: number;
}

export interface EdgeCache {
  /** Answers from the cache, or hands the request (body parsed when read) to `next`. */
  handle(req: IncomingMessage, res: ServerResponse, next: (req: IncomingMessage, res: ServerResponse) => void): void;
  /** Stored answers now. */
  readonly size: number;
  /** Their bytes as counted against `maxBytes`. */
  readonly bytes: number;
  /** Drops every stored answer (the built-in emulator changed a task under it). */
  clear(): void;
}

/** Headers that belong to one exchange, not to the stored answer. */
const PER_RESPONSE_HEADERS = new Set([
  'x-request-id',
  'age',
  'content-length',
  'date',
  'etag',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

const JSON_CONTENT_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;
const TRACE_HEADER = 'apollo-federation-include-trace';

function announcedLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  return header !== undefined && /^\d{1,15}$/.test(header) ? Number(header) : undefined;
}

/** The announced body length of a request the cache may answer, or undefined for one it leaves to Express. */
function candidateLength(req: IncomingMessage, options: EdgeCacheOptions): number | undefined {
  if (req.method !== 'POST' || req.url === undefined || !options.paths.includes(req.url)) return undefined;
  const length = announcedLength(req);
  if (length === undefined || length > options.bodyLimitBytes) return undefined;
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return undefined;
  if (req.headers[TRACE_HEADER] !== undefined) return undefined;
  return JSON_CONTENT_TYPE.test(req.headers['content-type'] ?? '') && options.admits(req) ? length : undefined;
}

type BodyOutcome = { readonly text: string } | { readonly aborted: boolean };

const EMPTY = Buffer.alloc(0);

/**
 * Reads a candidate's body, exactly `length` bytes announced, as UTF-8 text. Written for this
 * one case instead of through raw-body (what Express's JSON parser uses): raw-body's general
 * stream handling, iconv decoder and async-resource binding were the largest part of a hit's
 * own work in CPU profiles, while a GraphQL POST here is a few hundred bytes that usually
 * arrive in one chunk. Like raw-body with iconv, a leading byte-order mark is dropped, so a
 * miss's body reads the same as Express would read it.
 *
 * `aborted`: the client went away (no answer is owed); otherwise a body that broke off short
 * of its Content-Length, answered like a body that is not JSON.
 */
function readBody(req: IncomingMessage, length: number, done: (outcome: BodyOutcome) => void): void {
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let received = 0;
  let settled = false;
  const finish = (outcome: BodyOutcome): void => {
    if (settled) return;
    settled = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
    req.off('close', onClose);
    done(outcome);
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  };
  const onEnd = (): void => {
    if (received !== length) {
      finish({ aborted: false });
      return;
    }
    const text = (chunks ? Buffer.concat(chunks, received) : (first ?? EMPTY)).toString('utf8');
    finish({ text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text });
  };
  const onError = (): void => finish({ aborted: req.destroyed });
  // 'close' before 'end': the connection went away mid-body.
  const onClose = (): void => finish({ aborted: true });
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
  req.on('close', onClose);
}

/** body-parser's strict JSON, so a miss is parsed as Express would: an object or array, and an empty body read as {}. */
function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.length === 0) return { ok: true, value: {} };
  const first = /^[\x20\x09\x0a\x0d]*(.)/s.exec(text)?.[1];
  if (first !== '{' && first !== '[') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/**
 * The operation's name for the request log of hits, worked out once per stored answer, at its
 * first hit: Apollo has already accepted the document, and later hits reuse the name.
 */
function operationNameOf(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const { operationName, query } = body as Record<string, unknown>;
  if (typeof query !== 'string') return null;
  try {
    const name = getOperationAST(parse(query), typeof operationName === 'string' ? operationName : undefined)?.name
      ?.value;
    return name ?? null;
  } catch {
    return null;
  }
}

function storedHeaders(res: ServerResponse): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(res.getHeaders())) {
    if (!PER_RESPONSE_HEADERS.has(name) && value !== undefined) headers[name] = value;
  }
  return headers;
}

/** Positions, from the end of `hitHeaders`, of the two values each hit writes. */
const HIT_REQUEST_ID = 3;
const HIT_AGE = 1;

function hitHeaderList(headers: OutgoingHttpHeaders, bodyLength: number): string[] {
  const list: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    // A repeated header (an array value) goes as repeated lines, as writeHead sends an array value.
    for (const each of Array.isArray(value) ? value : [value]) list.push(name, String(each));
  }
  list.push('content-length', String(bodyLength), 'x-request-id', '', 'age', '');
  return list;
}

function sizeOf(key: string, answer: StoredAnswer): number {
  // A rough but safe upper bound: UTF-16 key, the body, and the header text.
  return 2 * key.length + answer.body.length + JSON.stringify(answer.headers).length + 64;
}

export function createEdgeCache(options: EdgeCacheOptions): EdgeCache {
  const answers = new LRUCache<string, StoredAnswer>({
    maxSize: Math.max(1, options.maxBytes),
    sizeCalculation: (answer, key) => sizeOf(key, answer),
  });

  return {
    get size() {
      return answers.size;
    },
    get bytes() {
      return answers.calculatedSize;
    },
    clear() {
      answers.clear();
    },
    handle(req, res, next) {
      const length = options.maxBytes <= 0 ? undefined : candidateLength(req, options);
      if (length === undefined) {
        next(req, res);
        return;
      }
      const startedAt = options.now();
      readBody(req, length, (body) => {
        if (!('text' in body)) {
          // A client that went away gets no answer; one whose body broke off short of its
          // Content-Length gets the same answer as a body that is not JSON.
          if (!body.aborted && !res.headersSent) options.onBadBody(req, res, options.requestId(req));
          return;
        }
        const { text } = body;
        const key = `${req.headers['accept'] ?? ''}\n${text}`;
        const stored = answers.get(key);
        if (stored !== undefined) {
          if (stored.expiresAt > options.now()) {
            if (stored.operationName === undefined) {
              const parsed = parseJsonBody(text);
              stored.operationName = parsed.ok ? operationNameOf(parsed.value) : null;
            }
            serveHit(options, res, stored, startedAt, options.requestId(req));
            return;
          }
          answers.delete(key);
        }
        const parsed = parseJsonBody(text);
        if (!parsed.ok) {
          options.onBadBody(req, res, options.requestId(req));
          return;
        }
        (req as RequestWithBody).body = parsed.value;
        captureAnswer(options, res, (answer) => answers.set(key, answer));
        next(req, res);
      });
    },
  };
}

function serveHit(
  options: EdgeCacheOptions,
  res: ServerResponse,
  answer: StoredAnswer,
  startedAt: number,
  requestId: string,
): void {
  const ageSeconds = answer.ageSeconds + Math.floor((options.now() - answer.storedAt) / 1000);
  const headers = answer.hitHeaders;
  headers[headers.length - HIT_REQUEST_ID] = requestId;
  headers[headers.length - HIT_AGE] = String(ageSeconds);
  res.writeHead(200, headers);
  res.end(answer.body);
  options.onHit({ requestId, operationName: answer.operationName ?? null, durationMs: options.now() - startedAt });
}

/**
 * Keeps what Apollo answers to a miss, if its headers say a shared cache may. The answer is
 * stored after the real `end` has handed it to the socket: storing is work the client of this
 * request need not wait for.
 */
function captureAnswer(options: EdgeCacheOptions, res: ServerResponse, store: (answer: StoredAnswer) => void): void {
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  let streamed = false;
  res.write = ((...args: unknown[]) => {
    streamed = true;
    return write(...args);
  }) as ServerResponse['write'];
  res.end = ((...args: unknown[]) => {
    const [chunk, encoding] = args;
    // Read before `end`: the status and headers are what was sent; `res` keeps them after.
    const freshness = streamed ? null : sharedFreshness(res.statusCode, res.getHeaders());
    const ended = end(...args);
    if (freshness && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) {
      store(storedAnswer(res, chunk, encoding, freshness, options.now()));
    }
    return ended;
  }) as ServerResponse['end'];
}

function storedAnswer(
  res: ServerResponse,
  chunk: string | Buffer,
  encoding: unknown,
  freshness: Freshness,
  storedAt: number,
): StoredAnswer {
  const body =
    typeof chunk === 'string'
      ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
      : chunk;
  const headers = storedHeaders(res);
  return {
    body,
    headers,
    hitHeaders: hitHeaderList(headers, body.length),
    operationName: undefined,
    storedAt,
    ageSeconds: freshness.ageSeconds,
    expiresAt: storedAt + (freshness.maxAgeSeconds - freshness.ageSeconds) * 1000,
  };
}
