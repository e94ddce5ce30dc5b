/** The operations the bench sends, written once so every measurement asks the same thing. */
export const WORKFLOW_ONE = 'query WorkflowOne($id: ID!) { workflowTask(taskId: $id) { taskId status state } }';
export const WORKFLOW_LIST =
  'query WorkflowList($ids: [ID!]!) { workflowTasks(taskIds: $ids) { taskId status state } }';
export const WORKFLOW_ENTITIES =
  'query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on WorkflowTask { taskId status state } } }';
export const IMAGE_ONE = 'query ImageOne($id: ID!) { imageTask(taskId: $id) { taskId status state } }';
export const IMAGE_LIST = 'query ImageList($ids: [ID!]!) { imageTasks(taskIds: $ids) { taskId status state } }';

export function representations(
  typename: 'WorkflowTask' | 'ImageTask',
  ids: readonly string[],
): Array<{ __typename: string; taskId: string }> {
  return ids.map((taskId) => ({ __typename: typename, taskId }));
}
