/**
 * A stand-in for the router's side of Apollo's HTTP callback protocol for subscriptions
 * (callbackSpec 1.0): it listens where `callbackUrl` points, checks every message the
 * subgraph sends as the protocol defines it, and answers as the router does.
 *
 *   check      {kind:"subscription", action:"check", id, verifier}; header subscription-protocol: callback/1.0
 *              (the first message, before the subgraph answers the subscription; then again as the heartbeat)
 *              → 204 with subscription-protocol: callback/1.0
 *   next       {kind, action:"next", id, verifier, payload: a GraphQL result} → 200
 *   complete   {kind, action:"complete", id, verifier, errors?: GraphQL errors} → 202; nothing may follow
 *
 * Anything else is recorded as a violation and answered 400.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CallbackMessage {
  readonly action: string;
  readonly id: string;
  readonly payload?: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  readonly errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface CallbackSubscription {
  readonly subscriptionId: string;
  readonly verifier: string;
  readonly callbackUrl: string;
}

export interface CallbackReceiver {
  readonly url: string;
  /** Every well-formed message, in arrival order, per subscription id. */
  messages(subscriptionId: string): readonly CallbackMessage[];
  /** What broke the protocol, in words. */
  readonly violations: string[];
  /** A new subscription's extension values, with a callback URL of its own (the router's shape: /callback/<id>). */
  subscription(subscriptionId: string): CallbackSubscription;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received = new Map<string, CallbackMessage[]>();
  const verifiers = new Map<string, string>();
  const violations: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const refuse = (why: string): void => {
        violations.push(why);
        res.writeHead(400).end();
      };
      const pathId = /^\/callback\/([^/]+)$/.exec(req.url ?? '')?.[1];
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return refuse(`${req.url}: body is not JSON`);
      }
      const { kind, action, id, verifier } = body;
      if (req.method !== 'POST') return refuse(`${req.url}: method ${req.method}`);
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return refuse(`${req.url}: content-type ${req.headers['content-type']}`);
      if (kind !== 'subscription') return refuse(`${req.url}: kind ${String(kind)}`);
      if (typeof id !== 'string' || id !== pathId || !verifiers.has(id))
        return refuse(`${req.url}: unknown id ${String(id)}`);
      if (verifier !== verifiers.get(id)) return refuse(`${id}: wrong verifier`);
      const log = received.get(id) ?? [];
      received.set(id, log);
      if (log.some((message) => message.action === 'complete'))
        return refuse(`${id}: ${String(action)} after complete`);
      switch (action) {
        case 'check':
          if (req.headers['subscription-protocol'] !== 'callback/1.0')
            return refuse(`${id}: check without subscription-protocol: callback/1.0`);
          log.push({ action, id });
          res.writeHead(204, { 'subscription-protocol': 'callback/1.0' }).end();
          return;
        case 'next': {
          const payload = body['payload'];
          if (typeof payload !== 'object' || payload === null || !('data' in payload || 'errors' in payload))
            return refuse(`${id}: next without a GraphQL result`);
          if (!log.some((message) => message.action === 'check')) return refuse(`${id}: next before check`);
          log.push({ action, id, payload: payload as CallbackMessage['payload'] });
          res.writeHead(200).end();
          return;
        }
        case 'complete': {
          const errors = body['errors'];
          if (errors !== undefined && !Array.isArray(errors))
            return refuse(`${id}: complete with errors that are not a list`);
          log.push({ action, id, ...(errors ? { errors: errors as CallbackMessage['errors'] } : {}) });
          res.writeHead(202).end();
          return;
        }
        default:
          return refuse(`${id}: unknown action ${String(action)}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    messages: (subscriptionId) => received.get(subscriptionId) ?? [],
    violations,
    subscription(subscriptionId) {
      const verifier = `verifier-${subscriptionId}`;
      verifiers.set(subscriptionId, verifier);
      return { subscriptionId, verifier, callbackUrl: `${url}/callback/${subscriptionId}` };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
