// Keeps every watched task up to date. WebSocket subscriptions first (graphql-transport-ws,
// the graphql-ws library's protocol, on the same path as queries); polling the list queries
// when the socket cannot open or the server's schema has no subscription fields. The switch
// is one-way for the page's life: a server that refused once is not asked again per task.
// A finished task is not asked again, except where the built-in emulator answers: its controls
// can script a finished task anew, so such a row is re-read by a query at the poll interval.
import { KINDS, TERMINAL_STATES, normaliseError, postGraphQL } from './graphql.js';

/** Ids per list query: far under MAX_TASK_IDS (100) and MAX_QUERY_COST with the graph selected. */
const BATCH = 25;
const CLIENT_MODULE = './vendor/graphql-ws/client.js';

/**
 * @param {{ graphqlUrl: string, wsUrl: string, pollMs: number, forcePolling: boolean,
 *           onUpdate: (key: string, update: { task?: object|null, errors: object[], via: string }) => void,
 *           onTransport: (mode: string, detail: string) => void }} options
 */
export function createLive(options) {
  const watched = new Map(); // key -> { kind, taskId, terminal, dispose, retry }
  let mode = 'none';
  let client = null;
  let clientPromise = null;
  let pollTimer = null;
  let polling = false;
  let pollAgain = false;
  /** Kinds whose finished tasks may still change: those the built-in emulator answers for. */
  let rereadKinds = new Set();

  const setMode = (next, detail) => {
    mode = next;
    options.onTransport(next, detail);
  };

  /** Asked for by the next query round: every unfinished task when polling, a finished one that may still change in any mode. */
  const queried = (entry) => (entry.terminal ? rereadKinds.has(entry.kind) : mode === 'polling');

  const report = (entry, key, task, errors, via) => {
    if (task) {
      const wasTerminal = entry.terminal;
      entry.terminal = TERMINAL_STATES.has(task.state);
      // A finished task scripted again through the emulator's controls: watched like any unfinished one.
      if (wasTerminal && !entry.terminal && mode !== 'polling' && !entry.dispose && !entry.retry) void subscribe(key, entry);
    }
    options.onUpdate(key, { task, errors, via });
    if (queried(entry) && pollTimer === null && !polling) schedulePoll(options.pollMs);
  };

  // ---------------------------------------------------------------- polling

  const schedulePoll = (delay) => {
    if (pollTimer !== null) clearTimeout(pollTimer);
    pollTimer = setTimeout(pollOnce, delay);
  };

  async function pollOnce() {
    pollTimer = null;
    if (polling) {
      // A task added mid-poll is asked for as soon as this round ends, not a whole interval later.
      pollAgain = true;
      return;
    }
    polling = true;
    pollAgain = false;
    try {
      const batches = [];
      for (const kind of Object.keys(KINDS)) {
        // Finished tasks no longer change (but see rereadKinds); an errored one (NOT_FOUND, a refused request) is asked again.
        const keys = [...watched.entries()].filter(([, entry]) => entry.kind === kind && queried(entry)).map(([key]) => key);
        for (let i = 0; i < keys.length; i += BATCH) batches.push({ kind, keys: keys.slice(i, i + BATCH) });
      }
      await Promise.all(batches.map((batch) => pollBatch(batch.kind, batch.keys)));
    } finally {
      polling = false;
      if (pollTimer === null && [...watched.values()].some(queried)) schedulePoll(pollAgain ? 0 : options.pollMs);
    }
  }

  async function pollBatch(kind, keys) {
    const spec = KINDS[kind];
    const ids = keys.map((key) => watched.get(key)?.taskId).filter((id) => id !== undefined);
    const { data, errors } = await postGraphQL(options.graphqlUrl, spec.listQuery, { ids });
    const list = data && Array.isArray(data[spec.listField]) ? data[spec.listField] : null;
    keys.forEach((key, index) => {
      const entry = watched.get(key);
      if (!entry) return;
      // An error with this index in its path is this task's; one with no index is the whole request's.
      const mine = errors.filter((error) => !error.path || error.path[0] !== spec.listField || error.path.length < 2 || error.path[1] === index);
      report(entry, key, list ? (list[index] ?? null) : null, mine, mode === 'polling' ? 'polling' : 'query');
    });
  }

  function startPolling(reason) {
    if (mode === 'polling') return;
    for (const entry of watched.values()) {
      entry.dispose?.();
      entry.dispose = null;
      if (entry.retry) clearTimeout(entry.retry);
    }
    client?.dispose();
    client = null;
    setMode('polling', reason);
    schedulePoll(0);
  }

  // ---------------------------------------------------------------- subscriptions

  function loadClient() {
    clientPromise ??= import(CLIENT_MODULE).then(({ createClient }) => {
      let opened = false;
      client = createClient({
        url: options.wsUrl,
        lazy: true,
        // A socket that never opened means no WebSocket here: poll instead of retrying for a minute.
        shouldRetry: () => opened,
        connectionAckWaitTimeout: 10_000,
        on: {
          connected: () => {
            opened = true;
            if (mode !== 'polling') setMode('subscriptions', 'WebSocket (graphql-transport-ws)');
          },
        },
      });
      return client;
    });
    return clientPromise;
  }

  /** True for GraphQL errors that say the server has no such subscription, not that the task failed. */
  function schemaLacksSubscriptions(errors) {
    return errors.some(
      (error) =>
        error.code === 'GRAPHQL_VALIDATION_FAILED' ||
        /not configured (to execute|for) subscription|Cannot query field "(imageTaskUpdated|workflowTaskUpdated)"|no subscription/i.test(error.message),
    );
  }

  async function subscribe(key, entry) {
    let socket;
    try {
      socket = await loadClient();
    } catch (error) {
      startPolling(`the graphql-ws client could not load (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    if (mode === 'polling' || watched.get(key) !== entry) return;
    const spec = KINDS[entry.kind];
    entry.dispose = socket.subscribe(
      { query: spec.subscription, variables: { taskId: entry.taskId } },
      {
        next: (result) => {
          const errors = Array.isArray(result.errors) ? result.errors.map(normaliseError) : [];
          report(entry, key, result.data ? (result.data[spec.subscriptionField] ?? null) : null, errors, 'subscription');
        },
        error: (error) => {
          if (!Array.isArray(error)) {
            // A CloseEvent or Event: the socket could not open, or closed for good.
            const detail = error && typeof error.code === 'number' ? ` (close code ${error.code})` : '';
            startPolling(`no WebSocket could be opened at ${new URL(options.wsUrl).pathname}${detail}`);
            return;
          }
          const errors = error.map(normaliseError);
          if (schemaLacksSubscriptions(errors)) {
            startPolling('the server offers no task subscriptions');
            return;
          }
          report(entry, key, null, errors, 'subscription');
          resubscribeLater(key, entry);
        },
        complete: () => resubscribeLater(key, entry),
      },
    );
  }

  /** The server ends a subscription after a terminal state, an error or its maximum duration. */
  function resubscribeLater(key, entry) {
    entry.dispose = null;
    if (entry.terminal || mode === 'polling' || watched.get(key) !== entry) return;
    entry.retry = setTimeout(() => {
      entry.retry = null;
      if (watched.get(key) === entry && !entry.terminal) void subscribe(key, entry);
    }, options.pollMs);
  }

  // ---------------------------------------------------------------- public

  return {
    start() {
      if (options.forcePolling) startPolling('polling was asked for (?transport=poll)');
      else setMode('connecting', `opening a WebSocket at ${new URL(options.wsUrl).pathname}`);
    },
    watch(key, kind, taskId) {
      if (watched.has(key)) return;
      const entry = { kind, taskId, terminal: false, dispose: null, retry: null };
      watched.set(key, entry);
      if (mode === 'polling') schedulePoll(0);
      else void subscribe(key, entry);
    },
    /**
     * Finished tasks of these kinds are re-read at the poll interval: the built-in emulator answers
     * for them (the page learns it from samples.json), and the subgraph drops its caches of a task
     * its controls change, so a re-read is a cache hit until then.
     */
    rereadFinished(kinds) {
      rereadKinds = new Set(kinds);
      if (pollTimer === null && !polling && [...watched.values()].some(queried)) schedulePoll(options.pollMs);
    },
    unwatch(key) {
      const entry = watched.get(key);
      if (!entry) return;
      watched.delete(key);
      entry.dispose?.();
      if (entry.retry) clearTimeout(entry.retry);
    },
    get mode() {
      return mode;
    },
  };
}
