/**
 * Raw wire types of ICE GetAIWorkflowTask (API 2020-11-09). Every field is
 * optional and nullable. The SDK models Inputs, NodeResults, Outputs, UserData
 * and Graph as JSON *strings*, while the doc examples show objects, so those
 * are `unknown` here and src/parsing accepts either.
 * https://www.alibabacloud.com/help/en/ims/developer-reference/api-ice-2020-11-09-getaiworkflowtask
 */

export interface RawWorkflow {
  readonly WorkflowId?: string | null;
  readonly Name?: string | null;
  /** `Draft`, `Published`, `Editing`. */
  readonly Status?: string | null;
  readonly Type?: string | null;
  readonly CreateTime?: string | null;
  readonly ModifiedTime?: string | null;
  readonly Version?: string | null;
  /** `{"nodes":[...],"edges":[...]}` as a JSON string or an object; no public schema. */
  readonly Graph?: unknown;
}

export interface RawWorkflowTask {
  readonly TaskId?: string | null;
  /** `running`, `stopped`, `failed`, `partial-succeeded`, `succeeded`. */
  readonly Status?: string | null;
  readonly Inputs?: unknown;
  readonly CreateTime?: string | null;
  /** Absent while running. */
  readonly FinishTime?: string | null;
  readonly NodeResults?: unknown;
  readonly Outputs?: unknown;
  readonly UserData?: unknown;
  readonly Version?: string | null;
  readonly Workflow?: RawWorkflow | null;
}

/** Success body: no envelope. */
export interface RawGetAIWorkflowTaskResponse {
  readonly RequestId?: string | null;
  readonly WorkflowTask?: RawWorkflowTask | null;
}

/** Error body of every Alibaba Cloud POP API, at any HTTP status. */
export interface RawAlibabaErrorBody {
  readonly RequestId?: string | null;
  readonly HostId?: string | null;
  readonly Code?: string | null;
  readonly Message?: string | null;
  readonly Recommend?: string | null;
  /** Added to permission errors; diagnostic only. */
  readonly AccessDeniedDetail?: unknown;
}
