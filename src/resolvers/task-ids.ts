/**
 * Task ids are checked before any upstream call: an id the provider could never
 * know costs quota and tells the caller less than a precise message does.
 */
import type { GraphQLError } from 'graphql';
import { badUserInput } from './errors.js';

export const MAX_TASK_ID_LENGTH = 128;
/** Both providers' ids are letters, digits and dashes; `*` appears in their masked doc examples, `_ . :` are harmless. */
const TASK_ID_ALPHABET = /^[A-Za-z0-9_.:*-]+$/;

/**
 * The reason an id is refused, or null when it may be looked up. `unknown` because an
 * `_entities` representation is untyped JSON (`_Any`): its taskId may be anything.
 */
export function taskIdProblem(taskId: unknown): GraphQLError | null {
  if (typeof taskId !== 'string') return badUserInput('taskId must be a string');
  if (taskId.length === 0) return badUserInput('taskId must not be empty');
  if (taskId.length > MAX_TASK_ID_LENGTH) {
    return badUserInput(`taskId is ${taskId.length} characters long; at most ${MAX_TASK_ID_LENGTH} are allowed`);
  }
  if (!TASK_ID_ALPHABET.test(taskId)) {
    return badUserInput('taskId may contain only letters, digits and the characters - _ . : *');
  }
  return null;
}

export function assertTaskIdCount(taskIds: readonly string[], max: number): void {
  if (taskIds.length > max) {
    throw badUserInput(`taskIds has ${taskIds.length} entries; at most ${max} are allowed per query`);
  }
}
