/**
 * Local emulator of MPS DescribeImageTaskDetail (TC3) and ICE GetAIWorkflowTask (ACS3): verifies
 * signatures, serves seeded tasks, counts calls, injects faults. The app imports it only when it answers.
 */
export type {
  AlibabaCredential,
  CallFilter,
  CallRecord,
  EmulatorOptions,
  Fault,
  FaultKind,
  FaultTarget,
  ProviderId,
  RunningEmulator,
  TencentCredential,
} from './types.js';
export type { ImageTaskSeed, JsonObject, JsonValue, WorkflowTaskSeed } from './json.js';
export { EMULATOR_CREDENTIALS, subgraphEnvFor } from './credentials.js';
export { startEmulator } from './server.js';
export {
  CREDENTIALS_URI_PATH,
  CVM_ROLE_NAME,
  ECS_ROLE_NAME,
  PLATFORM_CONTROL_PREFIX,
  type PlatformCall,
  type PlatformControls,
  type PlatformFilter,
  type PlatformService,
} from './platform.js';
export { largeWorkflowTask } from './large-tasks.js';
export { sampleTasks, type SampleKind, type SampleTask } from './samples.js';
export {
  FINISHED_IMAGE_TASK,
  SEED,
  SEED_S3_SECRETS,
  sampleTaskIds,
  type ImageSeedName,
  type WorkflowSeedName,
} from './seed-tasks.js';
export { DEFAULT_LATENCY_MS, FAULT_KINDS } from './faults.js';
export { CONTROL_PREFIX } from './control.js';
export {
  imageTaskProgression,
  workflowTaskProgression,
  type ScriptOptions,
  type ScriptPosition,
} from './task-scripts.js';
export { CALL_LOG_WINDOW, COUNTED_TASKS_LIMIT } from './call-log.js';
export { TENCENT_ACTION, TENCENT_VERSION } from './tencent-handler.js';
export { ALIBABA_ACTION, ALIBABA_TASK_NOT_FOUND_CODE, ALIBABA_VERSION } from './alibaba-handler.js';
