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
import { integerText, parseImageInput, parseImageStorage, strippedJson } from './image-locations.js';
import { asNumber, asString, mapEnum } from './scalars.js';
import { earliestExpiry, signedUrlExpiresAt } from './signed-url-expiry.js';
import { durationSeconds, toRfc3339Seconds } from './time.js';

const rfc3339OfEpochMs = (ms: number | null): string | null => (ms === null ? null : toRfc3339Seconds(new Date(ms)));

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
  const resultSet = parseResults(r.ImageProcessTaskResultSet);
  return {
    // The requested id, not the echoed one: loaders key their results by it.
    taskId,
    taskType: asString(r.TaskType),
    status,
    state: imageTaskState(status, errCode, errMsg, resultSet),
    errCode,
    errCodeText: integerText(r.ErrCode) ?? (errCode === null ? null : String(errCode)),
    errMsg,
    message: asString(r.Message),
    results: resultSet ?? [],
    resultSet,
    definition: integerText(r.Definition),
    launchConfig: strippedJson(r.ImageTask),
    input: parseImageInput(r.InputInfo),
    createTime: toRfc3339Seconds(r.CreateTime),
    finishTime: toRfc3339Seconds(r.FinishTime),
    durationSeconds: durationSeconds(r.CreateTime, r.FinishTime),
    requestId: asString(r.RequestId),
    // FINISH is the only status MPS never leaves; WAITING/PROCESSING/unknown may still change.
    terminal: status === 'FINISH',
    signedUrlsExpireAt: earliestExpiry(
      (resultSet ?? []).map((result) => signedUrlExpiresAt(result.output?.signedUrl ?? null)),
    ),
  };
}

/**
 * FINISH means "done", not "succeeded" (reference §4). For a FINISH task, in order:
 * 1. A task-level error (ErrCode a non-zero number, or ErrMsg not blank) is FAILED,
 *    whatever the results say.
 * 2. A FAIL result is PARTIALLY_SUCCEEDED beside a SUCCESS result, else FAILED
 *    (even with others still PROCESSING/unknown: nothing is known to have succeeded).
 * 3. At least one result, every one SUCCESS: SUCCEEDED.
 * 4. A result still in flight (WAITING, PROCESSING, unknown or without status): UNKNOWN,
 *    whatever ErrMsg says: a result in flight is no proof of success.
 * 5. No result at all (none sent, a null or empty set): SUCCEEDED only when the provider
 *    says so, which the doc defines as ErrMsg sent and empty ("A null string indicates that
 *    the task is successful") with ErrCode absent or 0; else UNKNOWN. ErrCode 0 alone
 *    is not enough: 0 is also what an SDK's int field holds when nothing was said.
 * `Message` never decides: it explains a failure the codes report (and other MPS
 * results carry text such as `SUCCESS` there on success).
 */
export function imageTaskState(
  status: ImageTaskStatus | null,
  errCode: number | null,
  errMsg: string | null,
  results: readonly Pick<ImageProcessResultModel, 'status'>[] | null,
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
  const list = results ?? [];
  const succeeded = list.filter((result) => result.status === 'SUCCESS').length;
  if (list.some((result) => result.status === 'FAIL')) return succeeded > 0 ? 'PARTIALLY_SUCCEEDED' : 'FAILED';
  if (list.length > 0) return succeeded === list.length ? 'SUCCEEDED' : 'UNKNOWN';
  return errMsg !== null ? 'SUCCEEDED' : 'UNKNOWN';
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
 * every result in the model is a real one. A null or absent set is null (the
 * provider does not say), kept apart from an empty one (no results); a set
 * that is not an array cannot be read and counts as not said.
 */
function parseResults(value: unknown): ImageProcessResultModel[] | null {
  if (!Array.isArray(value)) return null;
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
    signedUrlExpiresAt: rfc3339OfEpochMs(signedUrlExpiresAt(asString(value.SignedUrl))),
    content: asString(value.Content),
    fileId: asString(value.FileId),
    // Unreadable storage text is dropped rather than returned: it could carry the very secrets we must not echo.
    storage: strippedJson(value.OutputStorage),
    outputStorage: parseImageStorage(value.OutputStorage),
  };
}
