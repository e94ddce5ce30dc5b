// One table row per task: what each column shows, from the task (or its errors). Pure
// functions of the row state; DOM nodes built with textContent only.
import { KINDS } from './graphql.js';

/** Word plus symbol plus colour (the CSS class): state is never colour alone. */
export const STATE_MARKS = {
  PENDING: '…',
  RUNNING: '▶',
  SUCCEEDED: '✔',
  PARTIALLY_SUCCEEDED: '◐',
  FAILED: '✖',
  STOPPED: '■',
  UNKNOWN: '?',
  ERROR: '⚠',
  LOADING: '⋯',
};

const el = (name, className, text) => {
  const element = document.createElement(name);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
};

const DASH = '—';

function formatTime(value) {
  if (typeof value !== 'string') return document.createTextNode(DASH);
  const time = el('time', '', value.replace('T', ' ').replace(/Z$/, ' UTC'));
  time.dateTime = value;
  return time;
}

export function formatDuration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return DASH;
  if (seconds < 60) return `${Math.round(seconds * 10) / 10} s`;
  const whole = Math.round(seconds);
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min ${rest} s`;
}

function progressCell(kind, task) {
  const cell = el('td', 'progress');
  if (!task) {
    cell.textContent = DASH;
    return cell;
  }
  if (kind === 'image') {
    const results = Array.isArray(task.results) ? task.results : [];
    if (results.length === 0) {
      cell.textContent = task.status === 'FINISH' ? 'no results' : DASH;
      return cell;
    }
    // A finished result may carry no Progress: count it as done, like the provider's own console.
    const values = results.map((result) => (typeof result.progress === 'number' ? result.progress : result.status === 'SUCCESS' ? 100 : 0));
    const percent = Math.round(values.reduce((sum, value) => sum + value, 0) / values.length);
    const done = results.filter((result) => result.status === 'SUCCESS' || result.status === 'FAIL').length;
    const bar = el('progress');
    bar.max = 100;
    bar.value = percent;
    bar.setAttribute('aria-label', `${percent}%`);
    cell.append(bar, el('span', 'progress-text', `${percent}% · ${done}/${results.length} results done`));
    return cell;
  }
  const nodes = task.workflow?.graph?.layout?.nodes;
  const results = Array.isArray(task.nodeResults) ? task.nodeResults : [];
  const finished = results.filter((result) => /^(succeeded|success|completed|failed|error|stopped)/i.test(result.status ?? '')).length;
  cell.textContent = Array.isArray(nodes) ? `${finished}/${nodes.length} nodes done` : `${finished} nodes done`;
  return cell;
}

/** The provider's own error (image tasks), or the first failed node (workflow tasks). */
function providerError(kind, task) {
  if (!task) return null;
  if (kind === 'image') {
    const code = task.errMsg ? `${task.errMsg}${task.errCodeText && task.errCodeText !== '0' ? ` (${task.errCodeText})` : ''}` : task.errCodeText && task.errCodeText !== '0' ? task.errCodeText : '';
    const failed = (task.results ?? []).find((result) => result.status === 'FAIL');
    const message = task.message || (failed ? `${failed.errMsg ?? ''} ${failed.message ?? ''}`.trim() : '');
    return code || message ? { code: code || (failed?.errMsg ?? ''), message } : null;
  }
  const failed = (task.nodeResults ?? []).find((result) => result.error);
  return failed ? { code: `node ${failed.nodeId}`, message: failed.error } : null;
}

/**
 * @param {{ key: string, kind: string, taskId: string, note?: string, task?: object|null, errors: Array<{code: string, message: string}>, loaded: boolean }} row
 */
export function renderCells(row, actions) {
  const { kind, task } = row;
  const cells = [];
  cells.push(el('td', 'provider', KINDS[kind].label));
  const id = el('td', 'task-id');
  id.append(el('code', '', row.taskId));
  if (row.note) id.append(el('small', 'note', row.note));
  cells.push(id);

  const state = !row.loaded ? 'LOADING' : task ? task.state : 'ERROR';
  const stateCell = el('td', 'state');
  const badge = el('span', `state-badge state-${state.toLowerCase()}`);
  badge.append(el('span', 'state-mark', STATE_MARKS[state] ?? '?'), document.createTextNode(` ${state === 'LOADING' ? 'loading' : state}`));
  stateCell.append(badge);
  cells.push(stateCell);

  cells.push(el('td', 'status', task?.status ?? DASH));
  cells.push(progressCell(kind, task));
  const created = el('td', 'created');
  created.append(formatTime(task?.createTime));
  cells.push(created);
  const finished = el('td', 'finished');
  finished.append(formatTime(task?.finishTime));
  cells.push(finished);
  cells.push(el('td', 'duration', formatDuration(task?.durationSeconds)));

  // GraphQL errors first: they are why a row has no data, or which part of it is missing.
  const graphError = row.errors[0];
  const fromProvider = providerError(kind, task);
  const code = el('td', 'error-code');
  const message = el('td', 'error-message');
  if (graphError) {
    code.append(el('code', '', graphError.code));
    message.textContent = row.errors.map((error) => error.message).join('; ');
  } else if (fromProvider) {
    code.append(el('code', '', fromProvider.code || DASH));
    message.textContent = fromProvider.message || DASH;
  } else {
    code.textContent = DASH;
    message.textContent = DASH;
  }
  cells.push(code, message);

  const actionCell = el('td', 'actions');
  actionCell.append(...actions);
  cells.push(actionCell);
  return cells;
}
