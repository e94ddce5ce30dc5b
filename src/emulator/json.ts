/**
 * JSON shapes the emulator stores and serves. Kept here rather than borrowed from
 * src/parsing so the emulator stays a model of the providers, not of our parser.
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** The fields of a DescribeImageTaskDetail `Response`, without RequestId. */
export type ImageTaskSeed = JsonObject;
/** A GetAIWorkflowTask `WorkflowTask` object. */
export type WorkflowTaskSeed = JsonObject;

export { isRecord as isJsonObject, parseJsonOrUndefined as tryParseJson } from '../json.js';
