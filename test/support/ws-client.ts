/**
 * The graphql-ws client over a real socket, as a browser or the router's passthrough mode
 * connects, with helpers that record what each subscription receives. Tests wait on counts
 * and events (`until`), never on elapsed time.
 */
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

export function wsUrl(httpUrl: string, path = '/graphql'): string {
  return new URL(path, httpUrl.replace(/^http/, 'ws')).toString();
}

export interface WsClientOptions {
  readonly connectionParams?: Record<string, unknown>;
  /** Sent on the HTTP upgrade request (as the router sends its headers). */
  readonly headers?: Record<string, string>;
  /** Default `/graphql`. */
  readonly path?: string;
}

export interface ClosedSocket {
  code: number | null;
}

export function wsClient(httpUrl: string, options: WsClientOptions = {}): { client: Client; closed: ClosedSocket } {
  const closed: ClosedSocket = { code: null };
  const headers = options.headers;
  class HeaderSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, headers ? { headers } : {});
    }
  }
  const client = createClient({
    url: wsUrl(httpUrl, options.path),
    webSocketImpl: HeaderSocket,
    retryAttempts: 0,
    lazy: true,
    ...(options.connectionParams ? { connectionParams: options.connectionParams } : {}),
    on: {
      closed: (event) => {
        closed.code = (event as { code?: number }).code ?? null;
      },
    },
  });
  return { client, closed };
}

export interface Recorded {
  readonly results: FormattedExecutionResult<Record<string, unknown>, unknown>[];
  /** The `error` message's errors, or the close event, when the subscription failed. */
  failure: unknown;
  done: boolean;
  unsubscribe(): void;
}

export function record(client: Client, query: string, variables: Record<string, unknown> = {}): Recorded {
  const recorded: Recorded = {
    results: [],
    failure: undefined,
    done: false,
    unsubscribe: () => undefined,
  };
  recorded.unsubscribe = client.subscribe(
    { query, variables },
    {
      next: (result) => {
        recorded.results.push(result);
      },
      error: (error) => {
        recorded.failure = error;
        recorded.done = true;
      },
      complete: () => {
        recorded.done = true;
      },
    },
  );
  return recorded;
}

export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 20_000,
): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    // A safety net against a hang, not a timing assertion.
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The value of one Prometheus sample line, e.g. `subscriptions_active{provider="tencent-mps"}`; 0 when absent. */
export function metricValue(metrics: string, sample: string): number {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
