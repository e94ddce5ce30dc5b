/**
 * Shared by the reliability scenarios: their size knobs, the credentials every scenario
 * configures (all of them secrets the suite then hunts for in its output), and the one
 * definition of a well-formed answer.
 */
import fetch from 'node-fetch';
import type { RecordedResponse, StackOptions, TestStack } from '../support/stack.js';

function whole(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a whole number (got ${JSON.stringify(text)})`);
  return Number(text);
}

/** Sizes of the scenarios; the defaults keep the whole suite to a few minutes on two cores. */
export const SIZES = {
  /** Length of the load scenario, split into two equal phases. */
  loadSeconds: whole('RELIABILITY_LOAD_SECONDS', 60),
  loadConnections: whole('RELIABILITY_LOAD_CONNECTIONS', 100),
  /** GraphQL requests in the fault-mix scenario, and how many are in flight at once. */
  faultRequests: whole('RELIABILITY_FAULT_REQUESTS', 300),
  faultConcurrency: whole('RELIABILITY_FAULT_CONCURRENCY', 30),
  /** Concurrent `_entities` requests of 500 distinct ids each in the fairness flood. */
  floodRequests: whole('RELIABILITY_FLOOD_REQUESTS', 20),
  /** fast-check runs per fuzz property. */
  fuzzRuns: whole('RELIABILITY_FUZZ_RUNS', 200),
};

export const ROUTER_SECRET = 'reliability-router-secret-7f3c9a1e5b';

/** Temporary credentials of both kinds, so session and security tokens are hunted for too. */
export const RELIABILITY_CREDENTIALS: StackOptions = {
  tencentCredentials: [
    {
      secretId: 'AKIDRELIABILITY0000000000000001',
      secretKey: 'reliability-tencent-secret-key-9d2e4f',
      token: 'reliability-tencent-session-token-c1a7',
    },
  ],
  alibabaCredentials: [
    {
      accessKeyId: 'LTAIRELIABILITY000000001',
      accessKeySecret: 'reliability-alibaba-secret-7b8c0d',
      securityToken: 'reliability-alibaba-sts-token-e5f6',
    },
  ],
};

/** Every request of the suite carries the router secret: it must never come back. */
export const AUTH_HEADERS = { 'router-authorization': ROUTER_SECRET } as const;

/** The environment all scenarios share; each adds its own. */
export const BASE_ENV = { SUBGRAPH_SHARED_SECRET: ROUTER_SECRET, LOG_LEVEL: 'debug' } as const;

/** The values a leak would expose, for checking outputs the stack does not record (autocannon's bodies). */
export const SECRET_VALUES: readonly string[] = [
  ROUTER_SECRET,
  RELIABILITY_CREDENTIALS.tencentCredentials![0]!.secretKey,
  RELIABILITY_CREDENTIALS.tencentCredentials![0]!.token!,
  RELIABILITY_CREDENTIALS.alibabaCredentials![0]!.accessKeySecret,
  RELIABILITY_CREDENTIALS.alibabaCredentials![0]!.securityToken!,
];

export function containsSecret(text: string): boolean {
  return SECRET_VALUES.some((secret) => text.includes(secret));
}

/** Codes this subgraph documents (docs/errors.md) plus those Apollo Server and graphql-js assign. */
export const KNOWN_CODES = new Set([
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'UPSTREAM_AUTH_FAILED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_BAD_RESPONSE',
  'UNAUTHENTICATED',
  'PROVIDER_NOT_CONFIGURED',
  'SUBSCRIPTION_LIMIT',
  'CALLBACK_NOT_ALLOWED',
  'CALLBACK_CHECK_FAILED',
  'ORIGIN_NOT_ALLOWED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

export interface GraphQLError {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: { code?: unknown; [key: string]: unknown };
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: GraphQLError[];
}

/**
 * Why an answer is not a well-formed GraphQL answer or GraphQL-shaped HTTP error, or
 * null when it is. Never acceptable: a 5xx, INTERNAL_SERVER_ERROR (a bug here), a stack
 * trace, a body that is not a GraphQL response, a secret.
 */
export function answerProblem(response: RecordedResponse): string | null {
  if (response.status >= 500) return `HTTP ${response.status}`;
  if (containsSecret(response.text) || containsSecret(JSON.stringify(response.headers)))
    return 'a secret in the answer';
  if (/\n\s+at\s/.test(response.text) || response.text.includes('"stacktrace"')) return 'a stack trace in the answer';
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    return `HTTP ${response.status} with a body that is not JSON: ${response.text.slice(0, 120)}`;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'a body that is not a JSON object';
  const { data, errors } = body as GraphQLBody;
  if (errors === undefined) {
    if (response.status !== 200 || typeof data !== 'object' || data === null)
      return `HTTP ${response.status} without data or errors`;
    return null;
  }
  if (!Array.isArray(errors) || errors.length === 0) return '`errors` present but not a non-empty list';
  for (const error of errors) {
    if (typeof error?.message !== 'string') return 'an error without a message';
    const code = error.extensions?.code;
    if (typeof code !== 'string' || !KNOWN_CODES.has(code))
      return `an error with code ${JSON.stringify(code)}: ${error.message}`;
  }
  if (response.status !== 200 && data !== undefined && data !== null) return `HTTP ${response.status} with data`;
  return null;
}

/** POST to the stack with a time limit (a hang fails the test instead of stalling it), recorded like `stack.request`. */
export async function post(
  stack: TestStack,
  body: string,
  options: { readonly headers?: Record<string, string>; readonly timeoutMs?: number; readonly path?: string } = {},
): Promise<RecordedResponse> {
  const response = await fetch(new URL(options.path ?? '/', stack.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...AUTH_HEADERS, ...options.headers },
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const recorded = {
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    text: await response.text(),
  };
  stack.responses.push(recorded);
  return recorded;
}

export async function postGraphQL(
  stack: TestStack,
  query: string,
  variables: Record<string, unknown> = {},
  options: { readonly timeoutMs?: number } = {},
): Promise<{ response: RecordedResponse; body: GraphQLBody }> {
  const response = await post(stack, JSON.stringify({ query, variables }), options);
  return { response, body: JSON.parse(response.text) as GraphQLBody };
}

/** Runs `work(i)` for i in 0..count-1 with at most `concurrency` in flight. */
export async function inParallel(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** Deterministic pseudo-random numbers (mulberry32), so a failing mix can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Open TCP sockets of this process (client and server ends alike). */
export function openTcpSockets(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'TCPSocketWrap').length;
}
