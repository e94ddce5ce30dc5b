/**
 * Apollo Router's HTTP callback protocol (callbackSpec 1.0) through Apollo Server's own plugin:
 * a subscription POSTed with `extensions.subscription` is answered at once, its events POSTed to
 * the callback URL with `check` heartbeats and a final `complete`. It passes the HTTP operation check
 * first; only a request that resolved its operation without error subscribes.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginSubscriptionCallback } from '@apollo/server/plugin/subscriptionCallback';
import type { Logger } from 'pino';

export interface CallbackSubscriptions<TContext extends object> {
  readonly plugin: ApolloServerPlugin<TContext>;
  /**
   * Ends every callback subscription the way Apollo's drain does: heartbeats stopped first, then
   * `complete` for each. Run before the subscriptions' own streams are ended at shutdown: a stream
   * that ends first makes the plugin send `complete` while its heartbeat interval still runs, and a
   * `check` could then reach the router after `complete`, which the protocol forbids.
   */
  drain(): Promise<void>;
}

export function callbackSubscriptions<TContext extends object>(logger: Logger): CallbackSubscriptions<TContext> {
  let drainPlugin: (() => Promise<void>) | undefined;
  const plugin = callbackSubscriptionPlugin<TContext>(logger);
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
      await drainPlugin?.();
    },
  };
}

function callbackSubscriptionPlugin<TContext extends object>(logger: Logger): ApolloServerPlugin<TContext> {
  const plugin = ApolloServerPluginSubscriptionCallback({
    logger: {
      debug: (message) => logger.debug({ transport: 'callback' }, message),
      info: (message) => logger.info({ transport: 'callback' }, message),
      warn: (message) => logger.warn({ transport: 'callback' }, message),
      error: (message) => logger.error({ transport: 'callback' }, message),
    },
  }) as ApolloServerPlugin<TContext>;
  return {
    ...plugin,
    async requestDidStart(requestContext) {
      const listener = await plugin.requestDidStart?.(requestContext);
      if (!listener) return listener;
      return {
        ...listener,
        async willSendResponse(responseContext) {
          // Apollo calls willSendResponse for refused requests too (a limit, a validation error,
          // the router secret aside); the plugin would then check the callback URL and subscribe
          // all the same. Only a request that resolved its operation and has no error subscribes.
          const { body } = responseContext.response;
          if (!responseContext.operation || (body.kind === 'single' && (body.singleResult.errors?.length ?? 0) > 0)) return;
          await listener.willSendResponse?.(responseContext);
        },
      };
    },
  };
}
