/**
 * The bench's GraphQL client: node-fetch over a keep-alive agent, the same HTTP stack
 * the provider clients use, so "through the subgraph" and "direct" differ only by the
 * subgraph itself.
 */
import http from 'node:http';
import fetch from 'node-fetch';

const agent = new http.Agent({ keepAlive: true });

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
}

export async function postGraphQL(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { readonly timeoutMs?: number } = {},
): Promise<{ status: number; body: GraphQLBody }> {
  const response = await fetch(url, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody };
}

/** Throws unless every task came back as data: a bench figure over failed answers would mean nothing. */
export function assertNoErrors(body: GraphQLBody, what: string): void {
  if (body.errors?.length)
    throw new Error(`${what}: ${body.errors.length} errors, first: ${JSON.stringify(body.errors[0])}`);
}

export function destroyClientAgent(): void {
  agent.destroy();
}

/** The answer exactly as sent, for byte-for-byte comparison under load. */
export async function postRaw(
  url: string,
  body: string,
): Promise<{ status: number; text: string; headers: Record<string, string> }> {
  const response = await fetch(url, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  return {
    status: response.status,
    text: await response.text(),
    headers: Object.fromEntries(response.headers.entries()),
  };
}
