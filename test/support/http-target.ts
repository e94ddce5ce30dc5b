/**
 * Something a callback URL could point at: a loopback HTTP server that records every request
 * (method, path, body, and whether its connection was closed before it was answered) and answers
 * as the test says: a status, a redirect, or never.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TargetRequest {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  /** The caller closed the connection while the target held the request unanswered. */
  abandoned: boolean;
}

/** How the target answers one request: a status (with headers), or `hang` (never). */
export type TargetAnswer = { readonly status: number; readonly headers?: Record<string, string> } | 'hang';

export interface HttpTarget {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly requests: TargetRequest[];
  /** Requests whose body has the given `action` (a callback message), in arrival order. */
  actions(action: string): TargetRequest[];
  close(): Promise<void>;
}

export async function startHttpTarget(answer: (request: TargetRequest) => TargetAnswer): Promise<HttpTarget> {
  const requests: TargetRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: TargetRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
        abandoned: false,
      };
      requests.push(recorded);
      const answered = answer(recorded);
      if (answered === 'hang') {
        res.on('close', () => {
          recorded.abandoned = true;
        });
        return;
      }
      res.writeHead(answered.status, answered.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const actionOf = (request: TargetRequest): unknown => {
    try {
      return (JSON.parse(request.body) as { action?: unknown }).action;
    } catch {
      return undefined;
    }
  };
  return {
    url,
    requests,
    actions: (action) => requests.filter((request) => actionOf(request) === action),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
