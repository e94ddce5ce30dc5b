// The dashboard's entry module: the task list (kept in localStorage), the table, the graph
// panel, and the live connection (live.js). Nothing here fails the page silently: every
// error ends in a row's error cells or in the page's alert region.
import { drawLayout, NODE_STATE_MARKS } from './graph.js';
import { KINDS } from './graphql.js';
import { createLive } from './live.js';
import { renderCells } from './rows.js';

const STORAGE_KEY = 'media-task-dashboard:tasks';
const DEFAULT_POLL_MS = 5_000;
const MIN_POLL_MS = 100;
// The subgraph's own rule (src/resolvers/task-ids.ts): an id it would refuse is refused here,
// so one typo cannot fail a whole batch of ids in a list query.
const TASK_ID = /^[A-Za-z0-9_.:*-]{1,128}$/;

const $ = (selector) => {
  const element = document.querySelector(selector);
  if (!element) throw new Error(`the page lacks ${selector}`);
  return element;
};

function showPageError(message) {
  const region = document.getElementById('page-errors');
  if (!region) return;
  const line = document.createElement('p');
  line.className = 'page-error';
  line.textContent = message;
  region.append(line);
}

window.addEventListener('error', (event) => showPageError(`Dashboard error: ${event.message}`));
window.addEventListener('unhandledrejection', (event) => showPageError(`Dashboard error: ${event.reason instanceof Error ? event.reason.message : String(event.reason)}`));

function settings() {
  const params = new URLSearchParams(location.search);
  const poll = Number(params.get('poll'));
  const split = (name) => (params.get(name) ?? '').split(/[\s,]+/).filter(Boolean);
  return {
    pollMs: Number.isFinite(poll) && poll >= MIN_POLL_MS ? poll : DEFAULT_POLL_MS,
    forcePolling: params.get('transport') === 'poll',
    initial: [...split('image').map((taskId) => ({ kind: 'image', taskId })), ...split('workflow').map((taskId) => ({ kind: 'workflow', taskId }))],
  };
}

function loadStored() {
  try {
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null');
    return Array.isArray(stored) ? stored.filter((task) => task && KINDS[task.kind] && typeof task.taskId === 'string') : null;
  } catch {
    return null; // Storage off (private mode, a file: URL): the list lives as long as the page.
  }
}

function boot() {
  const config = settings();
  const rows = new Map(); // key -> { key, kind, taskId, note, task, errors, loaded, tr }
  const tbody = $('#tasks tbody');
  let selected = null;

  const persist = () => {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify([...rows.values()].map(({ kind, taskId, note }) => ({ kind, taskId, note }))));
    } catch {
      // See loadStored.
    }
  };

  const transport = $('#transport');
  const live = createLive({
    graphqlUrl: new URL('../graphql', location.href).href,
    wsUrl: new URL('../graphql', location.href).href.replace(/^http/, 'ws'),
    pollMs: config.pollMs,
    forcePolling: config.forcePolling,
    onTransport: (mode, detail) => {
      transport.dataset.transport = mode;
      transport.textContent =
        mode === 'subscriptions'
          ? `Live: subscriptions over ${detail}.`
          : mode === 'polling'
            ? `Live: polling every ${config.pollMs} ms, because ${detail}.`
            : `Connecting: ${detail}…`;
    },
    onUpdate: (key, update) => {
      const row = rows.get(key);
      if (!row) return;
      row.loaded = true;
      row.task = update.task;
      row.errors = update.errors;
      row.via = update.via;
      renderRow(row);
      if (selected === key) renderGraph(row);
    },
  });

  function actionButtons(row) {
    const buttons = [];
    if (row.kind === 'workflow') {
      const show = document.createElement('button');
      show.type = 'button';
      show.className = 'show-graph';
      show.textContent = 'Graph';
      show.setAttribute('aria-label', `Show the graph of workflow task ${row.taskId}`);
      show.setAttribute('aria-pressed', String(selected === row.key));
      show.addEventListener('click', () => select(row.key));
      buttons.push(show);
    }
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove task ${row.taskId}`);
    remove.addEventListener('click', () => removeTask(row.key));
    buttons.push(remove);
    return buttons;
  }

  function renderRow(row) {
    row.tr.replaceChildren(...renderCells(row, actionButtons(row)));
    row.tr.dataset.state = !row.loaded ? 'LOADING' : row.task ? row.task.state : 'ERROR';
    row.tr.dataset.errorCode = row.errors[0]?.code ?? '';
    row.tr.classList.toggle('selected', selected === row.key);
  }

  function renderAll() {
    $('#empty').hidden = rows.size > 0;
    for (const row of rows.values()) renderRow(row);
  }

  function addTask(kind, taskId, note) {
    const key = `${kind}:${taskId}`;
    if (rows.has(key)) return;
    const tr = document.createElement('tr');
    tr.dataset.key = key;
    tr.dataset.kind = kind;
    tr.dataset.taskId = taskId;
    const row = { key, kind, taskId, note, task: null, errors: [], loaded: false, tr };
    rows.set(key, row);
    tbody.append(tr);
    renderRow(row);
    $('#empty').hidden = true;
    live.watch(key, kind, taskId);
    // The first workflow task's graph is shown at once: it is the picture people come for.
    if (kind === 'workflow' && selected === null) select(key);
    persist();
  }

  function removeTask(key) {
    const row = rows.get(key);
    if (!row) return;
    live.unwatch(key);
    row.tr.remove();
    rows.delete(key);
    if (selected === key) select(null);
    $('#empty').hidden = rows.size > 0;
    persist();
  }

  function select(key) {
    selected = key;
    renderAll();
    const row = key ? rows.get(key) : null;
    $('#graph-panel').hidden = !row;
    if (row) renderGraph(row);
  }

  function renderGraph(row) {
    const graph = row.task?.workflow?.graph ?? null;
    $('#graph-title').textContent = `Workflow graph: ${row.task?.workflow?.name ?? 'workflow'} (${row.taskId})`;
    const drawing = $('#graph-drawing');
    const caption = $('#graph-caption');
    const mermaid = $('#graph-mermaid');
    mermaid.textContent = graph?.mermaid ?? '';
    if (graph?.layout) {
      drawing.replaceChildren(drawLayout(graph.layout, `Graph of workflow task ${row.taskId}`));
      caption.textContent = `${graph.layout.nodes.length} nodes, ${graph.layout.edges.length} edges. Symbols: ${Object.entries(NODE_STATE_MARKS)
        .map(([state, mark]) => `${mark} ${state.toLowerCase().replace('_', ' ')}`)
        .join(', ')}.`;
    } else if (graph) {
      // layout is null for very large graphs (over 2000 parts): the Mermaid text still describes it.
      const text = document.createElement('pre');
      text.className = 'mermaid-fallback';
      text.textContent = graph.mermaid;
      drawing.replaceChildren(text);
      caption.textContent = 'Too large to lay out here: the Mermaid text of the graph, to paste into any Mermaid renderer.';
    } else {
      drawing.replaceChildren();
      caption.textContent = !row.loaded ? 'Loading…' : row.errors.length > 0 ? `No graph: ${row.errors[0].code}` : 'The provider sent no readable graph for this task.';
    }
    const results = $('#node-results tbody');
    const states = new Map((graph?.layout?.nodes ?? []).map((node) => [node.id, node.state]));
    const lines = (row.task?.nodeResults ?? []).map((result) => {
      const tr = document.createElement('tr');
      const state = states.get(result.nodeId) ?? 'UNKNOWN';
      for (const [text, className] of [
        [result.nodeId, 'node-id'],
        [`${NODE_STATE_MARKS[state] ?? '?'} ${state}`, `node-state node-${state.toLowerCase()}`],
        [result.status ?? '—', ''],
        [result.error ?? '—', ''],
      ]) {
        const td = document.createElement('td');
        td.className = className;
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    });
    results.replaceChildren(...lines);
  }

  $('#add-task').addEventListener('submit', (event) => {
    event.preventDefault();
    const kind = $('#task-kind').value;
    const input = $('#task-id');
    const ids = input.value.split(/[\s,]+/).filter(Boolean);
    const bad = ids.filter((id) => !TASK_ID.test(id));
    if (bad.length > 0) {
      input.setCustomValidity(`Not a task id: ${bad.join(', ')}. Ids are at most 128 letters, digits and - _ . : *`);
      input.reportValidity();
      return;
    }
    input.setCustomValidity('');
    for (const id of ids) addTask(kind, id);
    input.value = '';
  });
  $('#task-id').addEventListener('input', () => $('#task-id').setCustomValidity(''));
  $('#clear-tasks').addEventListener('click', () => {
    for (const key of [...rows.keys()]) removeTask(key);
  });

  live.start();
  const stored = loadStored();
  for (const task of stored ?? []) addTask(task.kind, task.taskId, task.note);
  for (const task of config.initial) addTask(task.kind, task.taskId);

  // Sample ids exist only where the built-in emulator answers (the server says so with a 404 elsewhere).
  fetch('./samples.json')
    .then((response) => (response.ok ? response.json() : null))
    .then((body) => {
      const samples = body && Array.isArray(body.samples) ? body.samples : [];
      if (samples.length === 0) return;
      // The built-in emulator's controls can script a finished task anew: keep re-reading finished rows of its kinds.
      live.rereadFinished(samples.map((sample) => sample.kind));
      const button = $('#add-samples');
      button.hidden = false;
      button.addEventListener('click', () => samples.forEach((sample) => addTask(sample.kind, sample.taskId, sample.outcome)));
      // First visit: show what the subgraph answers without making anyone hunt for ids.
      if (stored === null && config.initial.length === 0) samples.forEach((sample) => addTask(sample.kind, sample.taskId, sample.outcome));
    })
    .catch(() => undefined);
  document.body.dataset.ready = 'true';
}

try {
  boot();
} catch (error) {
  showPageError(`The dashboard could not start: ${error instanceof Error ? error.message : String(error)}`);
}
