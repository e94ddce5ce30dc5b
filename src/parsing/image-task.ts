/**
 * Tencent MPS DescribeImageTaskDetail -> ImageTaskModel.
 * Input: the content of the `Response` envelope (the whole envelope is
 * unwrapped too, since both shapes appear in docs and fixtures). Every field is
 * optional and may be null (reference §4), so every read tolerates absence.
 */

import type {
  ImageOutputModel,
  ImageProcessResultModel,
  ImageResultStatus,
  ImageTaskModel,
  ImageTaskStatus,
  TaskState,
} from './models.js';
import { isRecord } from './json-value.js';
import { parseJsonField } from './json-field.js';
import { stripSecrets } from './secrets.js';
import { asNumber, asString, mapEnum } from './scalars.js';
import { durationSeconds, toRfc3339Seconds } from './time.js';

const TASK_STATUS: Readonly<Record<string, ImageTaskStatus>> = {
  waiting: 'WAITING',
  processing: 'PROCESSING',
  finish: 'FINISH',
};

const RESULT_STATUS: Readonly<Record<string, ImageResultStatus>> = {
  processing: 'PROCESSING',
  success: 'SUCCESS',
  fail: 'FAIL',
};

export function parseImageTaskStatus(value: unknown): ImageTaskStatus | null {
  return mapEnum(value, TASK_STATUS, 'UNKNOWN');
}

export function parseImageResultStatus(value: unknown): ImageResultStatus | null {
  return mapEnum(value, RESULT_STATUS, 'UNKNOWN');
}

export function parseImageTask(taskId: string, response: unknown): ImageTaskModel {
  const r = unwrapEnvelope(response);
  const status = parseImageTaskStatus(r.Status);
  const errCode = asNumber(r.ErrCode);
  const errMsg = asString(r.ErrMsg);
  const results = parseResults(r.ImageProcessTaskResultSet);
  return {
    // The requested id, not the echoed one: loaders key their results by it.
    taskId,
    taskType: asString(r.TaskType),
    status,
    state: imageTaskState(status, errCode, errMsg, results),
    errCode,
    errMsg,
    message: asString(r.Message),
    results,
    createTime: toRfc3339Seconds(r.CreateTime),
    finishTime: toRfc3339Seconds(r.FinishTime),
    durationSeconds: durationSeconds(r.CreateTime, r.FinishTime),
    requestId: asString(r.RequestId),
    // FINISH is the only status MPS never leaves; WAITING/PROCESSING/unknown may still change.
    terminal: status === 'FINISH',
  };
}

/**
 * FINISH means "done", not "succeeded" (reference §4): the task-level error
 * fields decide first, then the per-result statuses.
 * A FAIL with no SUCCESS beside it is FAILED even if other results are still
 * PROCESSING/UNKNOWN/null: calling that SUCCEEDED would report success when
 * nothing is known to have succeeded. PARTIALLY_SUCCEEDED needs at least one
 * SUCCESS and one FAIL. No FAIL at all (including no results, as in the doc
 * example) is SUCCEEDED.
 */
export function imageTaskState(
  status: ImageTaskStatus | null,
  errCode: number | null,
  errMsg: string | null,
  results: readonly Pick<ImageProcessResultModel, 'status'>[],
): TaskState {
  switch (status) {
    case 'WAITING':
      return 'PENDING';
    case 'PROCESSING':
      return 'RUNNING';
    case 'FINISH':
      break;
    default:
      return 'UNKNOWN';
  }
  if ((errCode !== null && errCode !== 0) || (errMsg !== null && errMsg.trim() !== '')) return 'FAILED';
  const failed = results.filter((result) => result.status === 'FAIL').length;
  if (failed === 0) return 'SUCCEEDED';
  const succeeded = results.filter((result) => result.status === 'SUCCESS').length;
  return succeeded > 0 ? 'PARTIALLY_SUCCEEDED' : 'FAILED';
}

function unwrapEnvelope(response: unknown): Readonly<Record<string, unknown>> {
  if (!isRecord(response)) return {};
  const inner = response.Response;
  // Only a bare envelope is unwrapped; a content object with a stray `Response` key is left alone.
  if (isRecord(inner) && response.Status === undefined && response.TaskType === undefined) return inner;
  return response;
}

/**
 * Non-object entries (null in the array) carry no data and are skipped, so
 * every result in the model is a real one; a non-array set means no results.
 */
function parseResults(value: unknown): ImageProcessResultModel[] {
  if (!Array.isArray(value)) return [];
  const results: ImageProcessResultModel[] = [];
  for (const entry of value as unknown[]) {
    if (!isRecord(entry)) continue;
    results.push({
      status: parseImageResultStatus(entry.Status),
      errMsg: asString(entry.ErrMsg),
      message: asString(entry.Message),
      progress: asNumber(entry.Progress),
      output: parseOutput(entry.Output),
    });
  }
  return results;
}

function parseOutput(value: unknown): ImageOutputModel | null {
  if (!isRecord(value)) return null;
  return {
    path: asString(value.Path),
    signedUrl: asString(value.SignedUrl),
    content: asString(value.Content),
    fileId: asString(value.FileId),
    storage: parseStorage(value.OutputStorage),
  };
}

/**
 * The storage target as JSON, secrets removed. When it cannot be read as JSON
 * we return null instead of the raw text: raw text could carry the very
 * secrets we must not echo, and nothing else depends on this field.
 */
function parseStorage(value: unknown): ImageOutputModel['storage'] {
  const parsed = parseJsonField(value);
  if (!parsed.ok) return null;
  return stripSecrets(parsed.value);
}
