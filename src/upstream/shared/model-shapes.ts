/**
 * The task models (src/parsing/models.ts) as checks, for answers read back from Redis: a stored
 * value is used only when it has exactly the shape the parser produces.
 */ import type {
  ImageInputModel,
  ImageObjectLocationModel,
  ImageOutputModel,
  ImageProcessResultModel,
  ImageStorageModel,
  ImageTaskModel,
  ImageVodLocationModel,
  JsonObject,
  Parsed,
  WorkflowEdgeModel,
  WorkflowGraphModel,
  WorkflowModel,
  WorkflowNodeModel,
  WorkflowNodeResultModel,
  WorkflowNodeResultsModel,
  WorkflowParseWarningModel,
  WorkflowTaskModel,
} from '../../parsing/models.js';
import { arrayOf, boolean, json, jsonObject, nullable, number, object, oneOf, string, type Check } from './shape.js';

const text = nullable(string);
const count = nullable(number);
const flag = nullable(boolean);
const taskState = oneOf('PENDING', 'RUNNING', 'SUCCEEDED', 'PARTIALLY_SUCCEEDED', 'FAILED', 'STOPPED', 'UNKNOWN');
const properties: Check<JsonObject | null> = nullable(jsonObject);

/** `Parsed<T>`: a typed value, or the reason it could not be typed and, optionally, what was sent. */
function parsed<T>(value: Check<T>): Check<Parsed<T>> {
  return (candidate): candidate is Parsed<T> => {
    if (!jsonObject(candidate)) return false;
    const keys = Object.keys(candidate);
    if (candidate['ok'] === true)
      return keys.length === 2 && Object.hasOwn(candidate, 'value') && value(candidate['value']);
    if (candidate['ok'] !== false || !string(candidate['reason'])) return false;
    return keys.every((key) => key === 'ok' || key === 'reason' || key === 'raw');
  };
}

const storage = object<ImageStorageModel>({ type: text, bucket: text, region: text, subAppId: text, vodBasic: flag });
const output = object<ImageOutputModel>({
  path: text,
  signedUrl: text,
  signedUrlExpiresAt: text,
  content: text,
  fileId: text,
  storage: nullable(json),
  outputStorage: nullable(storage),
});
const objectLocation = object<ImageObjectLocationModel>({ bucket: text, region: text, object: text });
const vodLocation = object<ImageVodLocationModel>({
  bucket: text,
  region: text,
  object: text,
  subAppId: text,
  vodBasic: flag,
  fileId: text,
});
const input = object<ImageInputModel>({
  type: text,
  cos: nullable(objectLocation),
  url: text,
  s3: nullable(objectLocation),
  vod: nullable(vodLocation),
  source: nullable(json),
});
const processResult = object<ImageProcessResultModel>({
  status: nullable(oneOf('PROCESSING', 'SUCCESS', 'FAIL', 'UNKNOWN')),
  errMsg: text,
  message: text,
  progress: count,
  output: nullable(output),
});

export const isImageTaskModel: Check<ImageTaskModel> = object<ImageTaskModel>({
  taskId: string,
  taskType: text,
  status: nullable(oneOf('WAITING', 'PROCESSING', 'FINISH', 'UNKNOWN')),
  state: taskState,
  errCode: count,
  errCodeText: text,
  errMsg: text,
  message: text,
  results: arrayOf(processResult),
  resultSet: nullable(arrayOf(processResult)),
  definition: text,
  launchConfig: nullable(json),
  input: nullable(input),
  createTime: text,
  finishTime: text,
  durationSeconds: count,
  requestId: text,
  terminal: boolean,
  signedUrlsExpireAt: count,
});

const warning = object<WorkflowParseWarningModel>({
  part: oneOf('NODE', 'EDGE', 'NODE_RESULT'),
  index: number,
  key: text,
  path: string,
  reason: string,
  skipped: boolean,
});
const node = object<WorkflowNodeModel>({ id: string, type: text, name: text, properties });
const edge = object<WorkflowEdgeModel>({ source: string, target: string, properties });
const graph = object<WorkflowGraphModel>({
  nodes: arrayOf(node),
  edges: arrayOf(edge),
  skipped: number,
  warnings: arrayOf(warning),
});
const nodeResult = object<WorkflowNodeResultModel>({
  nodeId: string,
  status: text,
  output: nullable(json),
  error: text,
  raw: json,
});
const nodeResults = object<WorkflowNodeResultsModel>({
  results: arrayOf(nodeResult),
  skipped: number,
  warnings: arrayOf(warning),
});
const workflow = object<WorkflowModel>({
  workflowId: text,
  name: text,
  status: nullable(oneOf('DRAFT', 'PUBLISHED', 'EDITING', 'UNKNOWN')),
  type: text,
  createTime: text,
  modifiedTime: text,
  version: text,
  graph: nullable(parsed(graph)),
  graphSource: nullable(json),
});

export const isWorkflowTaskModel: Check<WorkflowTaskModel> = object<WorkflowTaskModel>({
  taskId: string,
  status: nullable(oneOf('RUNNING', 'STOPPED', 'FAILED', 'PARTIAL_SUCCEEDED', 'SUCCEEDED', 'UNKNOWN')),
  state: taskState,
  inputs: nullable(json),
  createTime: text,
  finishTime: text,
  durationSeconds: count,
  workflow: nullable(workflow),
  nodeResults: nullable(parsed(nodeResults)),
  nodeResultsSource: nullable(json),
  outputs: nullable(json),
  userData: nullable(json),
  notifyAddress: text,
  version: text,
  requestId: text,
  terminal: boolean,
  signedUrlsExpireAt: count,
});
