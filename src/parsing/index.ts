/** Provider payloads -> typed models. Everything here is pure and total: `unknown` in, models out, never a throw. */

export type * from './models.js';
export { parseJsonField, jsonFieldOrRaw, MAX_STRING_LAYERS } from './json-field.js';
export type { JsonFieldResult } from './json-field.js';
export { toJsonValue, isRecord, isJsonObject } from './json-value.js';
export { toRfc3339Seconds, toEpochSeconds, durationSeconds } from './time.js';
export { stripSecrets } from './secrets.js';
export { parseImageTask, imageTaskState, parseImageTaskStatus, parseImageResultStatus } from './image-task.js';
export { parseImageInput, parseImageStorage, integerText } from './image-locations.js';
export {
  parseWorkflowTask,
  parseWorkflow,
  parseGraphField,
  parseNodeResultsField,
  parseWorkflowTaskStatus,
  parseWorkflowStatus,
  workflowTaskState,
  isTerminalWorkflowStatus,
  notifyAddressOf,
} from './workflow-task.js';
export { parseWorkflowGraph, entriesOf } from './workflow-graph.js';
export { parseNodeResults, nodeResultIndex } from './node-results.js';
