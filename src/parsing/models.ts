/**
 * Typed models of provider payloads, produced by the parsers in this folder and
 * handed to resolvers (codegen maps GraphQL types onto them, see codegen.yml).
 * Field names follow the GraphQL schema so default resolvers apply.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type TaskState = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'PARTIALLY_SUCCEEDED' | 'FAILED' | 'STOPPED' | 'UNKNOWN';
export type ImageTaskStatus = 'WAITING' | 'PROCESSING' | 'FINISH' | 'UNKNOWN';
export type ImageResultStatus = 'PROCESSING' | 'SUCCESS' | 'FAIL' | 'UNKNOWN';
export type WorkflowTaskStatus = 'RUNNING' | 'STOPPED' | 'FAILED' | 'PARTIAL_SUCCEEDED' | 'SUCCEEDED' | 'UNKNOWN';
export type WorkflowStatus = 'DRAFT' | 'PUBLISHED' | 'EDITING' | 'UNKNOWN';

/**
 * A field parsed from a provider JSON string: either a typed value or the reason it could not be typed.
 * `raw` (added by parsing): what the provider sent when it could not be typed, the decoded JSON when it
 * was JSON of the wrong shape, else the text as sent, so a failed parse never loses the data.
 */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string; readonly raw?: JsonValue };

/** `TaskOutputStorage` typed: the bucket and region of the branch `Type` names. */
export interface ImageStorageModel {
  readonly type: string | null;
  readonly bucket: string | null;
  readonly region: string | null;
  readonly subAppId: string | null;
  readonly vodBasic: boolean | null;
}

export interface ImageOutputModel {
  readonly path: string | null;
  readonly signedUrl: string | null;
  /** When `signedUrl` stops working (RFC 3339), for the signed forms we recognise; else null. */
  readonly signedUrlExpiresAt: string | null;
  readonly content: string | null;
  readonly fileId: string | null;
  /** OutputStorage with any S3 secret keys removed: they are the caller's secrets, never ours to echo. */
  readonly storage: JsonValue | null;
  readonly outputStorage: ImageStorageModel | null;
}

/** A COS or AWS S3 object. */
export interface ImageObjectLocationModel {
  readonly bucket: string | null;
  readonly region: string | null;
  readonly object: string | null;
}

/** A VOD input: a bucket object (professional edition) or a file id (standard edition). */
export interface ImageVodLocationModel extends ImageObjectLocationModel {
  readonly subAppId: string | null;
  readonly vodBasic: boolean | null;
  readonly fileId: string | null;
}

/** `InputInfo` (MediaInputInfo) typed, one field per kind; S3 credentials never included. */
export interface ImageInputModel {
  readonly type: string | null;
  readonly cos: ImageObjectLocationModel | null;
  readonly url: string | null;
  readonly s3: ImageObjectLocationModel | null;
  readonly vod: ImageVodLocationModel | null;
  /** InputInfo as sent, secrets removed. */
  readonly source: JsonValue | null;
}

export interface ImageProcessResultModel {
  readonly status: ImageResultStatus | null;
  readonly errMsg: string | null;
  readonly message: string | null;
  readonly progress: number | null;
  readonly output: ImageOutputModel | null;
}

export interface ImageTaskModel {
  readonly taskId: string;
  readonly taskType: string | null;
  readonly status: ImageTaskStatus | null;
  readonly state: TaskState;
  /** ErrCode as a number, whatever its size (GraphQL's `errCode` shows it only when it fits an Int). */
  readonly errCode: number | null;
  /** ErrCode as decimal text; exact for every value JSON parsing kept exact. */
  readonly errCodeText: string | null;
  readonly errMsg: string | null;
  readonly message: string | null;
  readonly results: readonly ImageProcessResultModel[];
  /** The result set as sent: null when the provider sent null or none, [] when it sent an empty one. */
  readonly resultSet: readonly ImageProcessResultModel[] | null;
  /** `Definition`, the template id (an int64), as text. */
  readonly definition: string | null;
  /** `ImageTask`, the launch configuration, secrets removed. */
  readonly launchConfig: JsonValue | null;
  readonly input: ImageInputModel | null;
  /** RFC 3339 UTC, seconds precision, e.g. 2025-05-16T07:44:26Z */
  readonly createTime: string | null;
  readonly finishTime: string | null;
  readonly durationSeconds: number | null;
  readonly requestId: string | null;
  /** True when the provider will not change this task again (cache policy depends on it). */
  readonly terminal: boolean;
  /** The earliest expiry of a signed URL in the answer (epoch ms); no cache keeps it longer. */
  readonly signedUrlsExpireAt: number | null;
}

export interface WorkflowNodeResultModel {
  readonly nodeId: string;
  readonly status: string | null;
  readonly output: JsonValue | null;
  readonly error: string | null;
  /** The node's whole result entry as the provider sent it. */
  readonly raw: JsonValue;
}

export interface WorkflowNodeModel {
  readonly id: string;
  readonly type: string | null;
  readonly name: string | null;
  /** Keys of the node not modelled above. */
  readonly properties: JsonObject | null;
}

export interface WorkflowEdgeModel {
  readonly source: string;
  readonly target: string;
  readonly properties: JsonObject | null;
}

/** Which part of a provider structure a parse warning is about. */
export type WorkflowParsePart = 'NODE' | 'EDGE' | 'NODE_RESULT';

/**
 * One entry the parser could not use (skipped) or used with a caveat, so a
 * tolerant parse never hides what it left out.
 */
export interface WorkflowParseWarningModel {
  readonly part: WorkflowParsePart;
  /** Position in the provider's list, or in a map's key order. */
  readonly index: number;
  /** The map key, when the entries came as a map keyed by id. */
  readonly key: string | null;
  /** Where in the provider's value, e.g. `nodes[1]`, `nodes.llm_1.next[0]`, `edges[3]`. */
  readonly path: string;
  readonly reason: string;
  /** True when the entry was left out; false when it was kept with a caveat (a repeated id). */
  readonly skipped: boolean;
}

export interface WorkflowGraphModel {
  readonly nodes: readonly WorkflowNodeModel[];
  readonly edges: readonly WorkflowEdgeModel[];
  /** Nodes plus edges the provider sent that could not be read. */
  readonly skipped: number;
  readonly warnings: readonly WorkflowParseWarningModel[];
}

/** NodeResults read entry by entry: what could be read, and what could not. */
export interface WorkflowNodeResultsModel {
  readonly results: readonly WorkflowNodeResultModel[];
  readonly skipped: number;
  readonly warnings: readonly WorkflowParseWarningModel[];
}

export interface WorkflowModel {
  readonly workflowId: string | null;
  readonly name: string | null;
  readonly status: WorkflowStatus | null;
  readonly type: string | null;
  readonly createTime: string | null;
  readonly modifiedTime: string | null;
  readonly version: string | null;
  /** null when the provider sent no graph; ok:false when it sent one that cannot be typed. */
  readonly graph: Parsed<WorkflowGraphModel> | null;
  /** `Graph` as the provider sent it, decoded as far as it decodes (the text when it is not JSON); null when absent. */
  readonly graphSource: JsonValue | null;
}

export interface WorkflowTaskModel {
  readonly taskId: string;
  readonly status: WorkflowTaskStatus | null;
  readonly state: TaskState;
  readonly inputs: JsonValue | null;
  readonly createTime: string | null;
  readonly finishTime: string | null;
  readonly durationSeconds: number | null;
  readonly workflow: WorkflowModel | null;
  readonly nodeResults: Parsed<WorkflowNodeResultsModel> | null;
  /** `NodeResults` as the provider sent it, decoded as far as it decodes; null when absent. */
  readonly nodeResultsSource: JsonValue | null;
  readonly outputs: JsonValue | null;
  readonly userData: JsonValue | null;
  readonly notifyAddress: string | null;
  readonly version: string | null;
  readonly requestId: string | null;
  readonly terminal: boolean;
  /** The earliest expiry of a signed URL in the outputs or node results (epoch ms); no cache keeps it longer. */
  readonly signedUrlsExpireAt: number | null;
}
