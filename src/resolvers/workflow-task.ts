/**
 * WorkflowTask and its graph. Payloads the parser could not type at all (`graph`,
 * `nodeResults`) fail only their own field, with UPSTREAM_BAD_RESPONSE at its path;
 * `graphSource` and `nodeResultsSource` (default resolvers) still carry them.
 */
import type { WorkflowGraphResolvers, WorkflowResolvers, WorkflowTaskResolvers } from '../generated/resolvers-types.js';
import { layoutWorkflowGraph } from '../graph/layout.js';
import { toMermaid } from '../graph/mermaid.js';
import type { Parsed, WorkflowNodeResultModel } from '../parsing/models.js';
import { nodeResultIndex } from '../parsing/node-results.js';
import { upstreamBadResponse } from './errors.js';
import type { WorkflowGraphParent } from './parents.js';
import { loadTask } from './load-task.js';

function typedOrThrow<T>(parsed: Parsed<T> | null, what: string, requestId: string | null): T | null {
  if (parsed === null) return null;
  if (parsed.ok) return parsed.value;
  throw upstreamBadResponse('alibaba-ice', `The provider's ${what} cannot be read: ${parsed.reason}`, requestId);
}

const NO_RESULTS: ReadonlyMap<string, WorkflowNodeResultModel> = new Map();

export const WorkflowTask: WorkflowTaskResolvers = {
  __resolveReference: (reference, { loaders, taskMaxAge }, info) =>
    loadTask(loaders.workflowTask, reference.taskId, info, taskMaxAge),
  // Client caches key objects by `id`; the provider's id is unique within the type, which is all they need.
  id: (task) => task.taskId,
  nodeResults: (task) => typedOrThrow(task.nodeResults, 'NodeResults', task.requestId)?.results ?? null,
  // Readable results say how many entries they left out; an unreadable or absent value has no count.
  nodeResultsSkipped: (task) => (task.nodeResults?.ok ? task.nodeResults.value.skipped : null),
  nodeResultsWarnings: (task) => (task.nodeResults?.ok ? task.nodeResults.value.warnings : []),
  workflow: (task) => {
    if (!task.workflow) return null;
    // An unreadable NodeResults fails its own field; nodes then show no result rather than failing too.
    const results = task.nodeResults?.ok ? nodeResultIndex(task.nodeResults) : NO_RESULTS;
    return { ...task.workflow, taskNodeResults: results, requestId: task.requestId };
  },
};

export const Workflow: WorkflowResolvers = {
  graph: (workflow): WorkflowGraphParent | null => {
    const graph = typedOrThrow(workflow.graph, 'workflow Graph', workflow.requestId);
    if (!graph) return null;
    return {
      nodes: graph.nodes.map((node) => ({ ...node, result: workflow.taskNodeResults.get(node.id) ?? null })),
      edges: graph.edges,
      skipped: graph.skipped,
      warnings: graph.warnings,
    };
  },
};

/** The pictures are computed per request from the parsed graph, and only when selected. */
export const WorkflowGraph: WorkflowGraphResolvers = {
  mermaid: (graph) => toMermaid(graph),
  layout: (graph, { direction }) => layoutWorkflowGraph(graph, direction),
};
