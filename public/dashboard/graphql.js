// GraphQL documents and the HTTP transport of the dashboard. The selections are the table's
// columns and the graph panel; the same fragments serve queries and subscriptions, so both
// transports fill a row identically.

export const IMAGE_FIELDS = `
  taskId status state createTime finishTime durationSeconds
  errCode errCodeText errMsg message
  results { status progress errMsg message }`;

// Depth 7 at layout.edges.points.x: within MAX_QUERY_DEPTH (12). Top to bottom, so the
// drawing stands beside the node results instead of running off the screen.
export const WORKFLOW_FIELDS = `
  taskId status state createTime finishTime durationSeconds
  workflow { name graph {
    mermaid
    layout(direction: TB) { width height nodes { id x y width height label state } edges { source target points { x y } } }
  } }
  nodeResults { nodeId status error }`;

export const KINDS = {
  image: {
    label: 'Tencent MPS',
    listQuery: `query DashboardImageTasks($ids: [ID!]!) { imageTasks(taskIds: $ids) { ${IMAGE_FIELDS} } }`,
    listField: 'imageTasks',
    subscription: `subscription DashboardImageTask($taskId: ID!) { imageTaskUpdated(taskId: $taskId) { ${IMAGE_FIELDS} } }`,
    subscriptionField: 'imageTaskUpdated',
  },
  workflow: {
    label: 'Alibaba ICE',
    listQuery: `query DashboardWorkflowTasks($ids: [ID!]!) { workflowTasks(taskIds: $ids) { ${WORKFLOW_FIELDS} } }`,
    listField: 'workflowTasks',
    subscription: `subscription DashboardWorkflowTask($taskId: ID!) { workflowTaskUpdated(taskId: $taskId) { ${WORKFLOW_FIELDS} } }`,
    subscriptionField: 'workflowTaskUpdated',
  },
};

/** States after which a task no longer changes: it is neither polled nor watched again (live.js re-reads it where the built-in emulator answers). */
export const TERMINAL_STATES = new Set(['SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'STOPPED']);

/**
 * An error as the table shows it: a code always (the server's `extensions.code`, or one
 * named here for failures that never reached GraphQL), and a message.
 */
export function normaliseError(error) {
  if (error && typeof error === 'object') {
    const code = error.extensions && typeof error.extensions.code === 'string' ? error.extensions.code : 'ERROR';
    return { code, message: typeof error.message === 'string' ? error.message : String(error), path: Array.isArray(error.path) ? error.path : null };
  }
  return { code: 'ERROR', message: String(error), path: null };
}

/**
 * POSTs one operation. Resolves with `{ data, errors }` in every case, so a caller never
 * has a rejection to forget: a network failure or a non-GraphQL answer becomes an error
 * with a code of its own (NETWORK_ERROR, HTTP_<status>).
 */
export async function postGraphQL(url, query, variables) {
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query, variables }),
      credentials: 'same-origin',
    });
  } catch (error) {
    return { data: null, errors: [{ code: 'NETWORK_ERROR', message: `The subgraph did not answer: ${error instanceof Error ? error.message : String(error)}`, path: null }] };
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON at all (a proxy's HTML error page): said below with the HTTP status.
  }
  const errors = body && Array.isArray(body.errors) ? body.errors.map(normaliseError) : [];
  if (!body || (!body.data && errors.length === 0)) {
    errors.push({ code: `HTTP_${response.status}`, message: `The subgraph answered HTTP ${response.status} ${response.statusText} without a GraphQL result`, path: null });
  }
  return { data: body && body.data ? body.data : null, errors };
}
