/**
 * Apollo Router's HTTP callback protocol (callbackSpec 1.0) through Apollo Server's own plugin:
 * a subscription POSTed with `extensions.subscription` is answered at once, its events POSTed to
 * the callback URL with `check` heartbeats and a final `complete`. Off unless callback URL prefixes
 * are configured; the extension is read first (security/callback-extension.ts), and only a request
 * that resolved its operation without error, within the subscription cap, sends anything. Every
 * callback request has a timeout and never follows a redirect; the drain at shutdown has a budget.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { ApolloServerPluginSubscriptionCallback } from '@apollo/server/plugin/subscriptionCallback';
import type { Fetcher, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { RefusalReason } from '../observability/metrics.js';
import { readCallbackExtension, type CallbackPolicy } from '../security/callback-extension.js';

export interface CallbackOptions {
  readonly policy: CallbackPolicy;
  /** Timeout of one callback request (SUBSCRIPTION_CALLBACK_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /** Longest the drain at shutdown may take, whatever the receivers do (SHUTDOWN_GRACE_MS). */
  readonly drainBudgetMs: number;
  /** False when the process-wide subscription cap is reached. */
  readonly hasRoom: () => boolean;
  readonly onRefused: (reason: RefusalReason) => void;
  readonly logger: Logger;
  /** The WHATWG fetch the requests go out through (global fetch unless a test injects one). */
  readonly fetch?: typeof fetch;
}

export interface CallbackSubscriptions<TContext extends object> {
  readonly plugin: ApolloServerPlugin<TContext>;
  /**
   * Ends every callback subscription the way Apollo's drain does: heartbeats stopped first, then
   * `complete` for each. Run before the subscriptions' own streams are ended at shutdown: a stream
   * that ends first makes the plugin send `complete` while its heartbeat interval still runs, and a
   * `check` could then reach the router after `complete`, which the protocol forbids. Whatever is
   * still unanswered at the budget's end is aborted.
   */
  drain(): Promise<void>;
}

/** Three attempts at most (Apollo's default is six, each with fetch's own 300 s timeout). */
const RETRY = { retries: 2, minTimeout: 100, maxTimeout: 1_000 } as const;

/** What the caller sees when the callback URL did not accept `check`: never the target's status or error text. */
export const CHECK_FAILED_MESSAGE =
  "The callback URL did not accept the subscription's check request; nothing was subscribed";

function refusal(message: string, code: string, status: number, retryable = false): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...(retryable && { retryable: true }), http: { status } } });
}

/**
 * Every request bounded by the timeout and by the shutdown abort; a redirect is answered as the 3xx it is, never followed.
 * A timer and a listener, not `AbortSignal.any([AbortSignal.timeout(…), shutdown])`: on Node 20 that composite
 * is lost to garbage collection while fetch waits, and a receiver that never answers then holds the request forever.
 */
export function boundedFetcher(send: typeof fetch, timeoutMs: number, shutdown: AbortSignal): Fetcher {
  // One shutdown listener for every request in flight, not one each (Node warns past ten).
  const inFlight = new Set<AbortController>();
  shutdown.addEventListener('abort', () => inFlight.forEach((controller) => controller.abort()), { once: true });
  return async (url: string, init?: FetcherRequestInit): Promise<FetcherResponse> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    inFlight.add(controller);
    if (shutdown.aborted) controller.abort();
    try {
      const response = await send(url, {
        method: init?.method ?? 'POST',
        ...(init?.headers && { headers: init.headers }),
        ...(init?.body !== undefined && { body: init.body }),
        redirect: 'manual',
        signal: controller.signal,
      });
      // The plugin reads only the status. The body is drained here, inside the timeout, so a
      // receiver that trickles it holds nothing and the connection is free for the next heartbeat.
      if (response.body) for await (const chunk of response.body) void chunk;
      return response;
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
    }
  };
}

export function callbackSubscriptions<TContext extends object>(
  options: CallbackOptions,
): CallbackSubscriptions<TContext> {
  let drainPlugin: (() => Promise<void>) | undefined;
  const shutdown = new AbortController();
  const plugin = callbackSubscriptionPlugin<TContext>(
    options,
    boundedFetcher(options.fetch ?? fetch, options.timeoutMs, shutdown.signal),
  );
  return {
    plugin: {
      ...plugin,
      async serverWillStart(service) {
        const listener = await plugin.serverWillStart?.(service);
        drainPlugin = listener?.drainServer ? () => listener.drainServer!() : undefined;
        return listener;
      },
    },
    drain: async () => {
      const drained = drainPlugin?.();
      if (!drained) return;
      let budget: NodeJS.Timeout | undefined;
      const spent = new Promise<void>((resolve) => {
        budget = setTimeout(resolve, options.drainBudgetMs);
      });
      await Promise.race([drained.catch(() => undefined), spent]);
      clearTimeout(budget);
      // Receivers still holding a request: their requests (and any retry) end now.
      shutdown.abort();
    },
  };
}

function callbackSubscriptionPlugin<TContext extends object>(
  options: CallbackOptions,
  fetcher: Fetcher,
): ApolloServerPlugin<TContext> {
  const { logger } = options;
  const plugin = ApolloServerPluginSubscriptionCallback({
    fetcher,
    retry: RETRY,
    logger: {
      debug: (message) => logger.debug({ transport: 'callback' }, message),
      info: (message) => logger.info({ transport: 'callback' }, message),
      warn: (message) => logger.warn({ transport: 'callback' }, message),
      error: (message) => logger.error({ transport: 'callback' }, message),
    },
  }) as ApolloServerPlugin<TContext>;

  const refusing = (error: GraphQLError, reason: RefusalReason): GraphQLRequestListener<TContext> => ({
    async didResolveOperation({ operation }) {
      // A query carrying the extension is refused by the HTTP subscription guard, before this.
      if (operation?.operation !== 'subscription') return;
      options.onRefused(reason);
      throw error;
    },
  });

  return {
    ...plugin,
    async requestDidStart(requestContext) {
      const extension = requestContext.request.extensions?.['subscription'];
      if (extension === undefined) return undefined;
      const read = readCallbackExtension(extension, options.policy);
      if ('refusal' in read) {
        const { code, status, message } = read.refusal;
        return refusing(
          refusal(message, code, status),
          code === 'CALLBACK_NOT_ALLOWED' ? 'callback_not_allowed' : 'bad_callback_extension',
        );
      }
      // The plugin reads only these four fields, typed and bounded now.
      const request = {
        ...requestContext.request,
        extensions: { ...requestContext.request.extensions, subscription: read.request },
      };
      const listener = await plugin.requestDidStart?.({ ...requestContext, request });
      if (!listener) return listener;
      return {
        ...listener,
        async didResolveOperation(context) {
          if (context.operation?.operation === 'subscription' && !options.hasRoom()) {
            options.onRefused('subscription_limit');
            throw refusal(
              'This subgraph already has as many subscriptions open as it may (SUBSCRIPTION_MAX_ACTIVE); try again later',
              'SUBSCRIPTION_LIMIT',
              429,
              true,
            );
          }
          await listener.didResolveOperation?.(context);
        },
        async willSendResponse(responseContext) {
          // Apollo calls willSendResponse for refused requests too (a limit, a validation error,
          // the router secret aside); the plugin would then check the callback URL and subscribe
          // all the same. Only a request that resolved its operation and has no error subscribes.
          const { body } = responseContext.response;
          if (!responseContext.operation || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0))
            return;
          await listener.willSendResponse?.(responseContext);
          // The plugin answers a failed check with the target's status or network error: an
          // oracle of whatever the URL points at. The caller learns only that it failed.
          if (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0) {
            options.onRefused('callback_check_failed');
            body.singleResult.errors = [
              new GraphQLError(CHECK_FAILED_MESSAGE, { extensions: { code: 'CALLBACK_CHECK_FAILED' } }),
            ];
            responseContext.response.http.status = 400;
          }
        },
      };
    },
  };
}
