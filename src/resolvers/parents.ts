/**
 * What the workflow resolvers hand to their children. A graph node's `result` lives
 * in the task's NodeResults, not in the template, so the task's results travel down
 * with the workflow and are joined onto nodes by id.
 */
import type {
  WorkflowEdgeModel,
  WorkflowModel,
  WorkflowNodeModel,
  WorkflowNodeResultModel,
  WorkflowParseWarningModel,
} from '../parsing/models.js';

export interface WorkflowParent extends WorkflowModel {
  readonly taskNodeResults: ReadonlyMap<string, WorkflowNodeResultModel>;
  /** The lookup's request id, quoted in errors about the graph. */
  readonly requestId: string | null;
}

export interface WorkflowNodeParent extends WorkflowNodeModel {
  readonly result: WorkflowNodeResultModel | null;
}

export interface WorkflowGraphParent {
  readonly nodes: readonly WorkflowNodeParent[];
  readonly edges: readonly WorkflowEdgeModel[];
  readonly skipped: number;
  readonly warnings: readonly WorkflowParseWarningModel[];
}
