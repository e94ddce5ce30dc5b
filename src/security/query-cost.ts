/**
 * The work an operation asks for, before it runs: every selected field costs 1, and a
 * field whose `taskIds` or `representations` argument is a list costs its selection once
 * per element. That product is what the depth, alias and token limits cannot see: 15
 * aliases over an `_entities` list of a few thousand representations answered a 94 KB
 * request with 10.8 MB. Fragments are flattened (a fragment spread twice costs twice),
 * each fragment worked out once.
 *
 * List sizes come from literals or from the request's variables, so this runs after the
 * operation is resolved (query-cost-plugin.ts), not as a validation rule. Lists the
 * provider returns (`results`, `nodes`, …) count as one: their length is not the caller's
 * to choose. Type conditions are not told apart: a representation is one type, but both
 * `... on ImageTask` and `... on WorkflowTask` selections count for it, an over-estimate
 * on the safe side.
 */
import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { foldSelections } from './fold-selections.js';

/** Arguments whose list length multiplies their field's selection. */
const LIST_ARGUMENTS = new Set(['taskIds', 'representations']);
/** Introspection costs nothing here: it never reaches a provider, and production switches it off. */
const FREE_FIELDS = new Set(['__schema', '__type']);

export interface CostInput {
  readonly operation: OperationDefinitionNode;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** As the caller sent them (before coercion). */
  readonly variables: Readonly<Record<string, unknown>> | undefined;
}

/** An argument's list length: a list literal, a list variable (or its default), anything else 1 (GraphQL coerces a single value to a list of one). */
function listLength(value: ValueNode, input: CostInput): number {
  if (value.kind === Kind.LIST) return value.values.length;
  if (value.kind !== Kind.VARIABLE) return 1;
  const name = value.name.value;
  const given = input.variables?.[name];
  if (Array.isArray(given)) return given.length;
  if (given !== undefined) return 1;
  const fallback = input.operation.variableDefinitions?.find((definition) => definition.variable.name.value === name)?.defaultValue;
  return fallback?.kind === Kind.LIST ? fallback.values.length : 1;
}

export function operationCost(input: CostInput): number {
  const costOf = foldSelections(
    // Unknown or cyclic fragments fail validation, which ran before this.
    (name) => input.fragments.get(name),
    (field, childCost) => {
      if (FREE_FIELDS.has(field.name.value)) return 0;
      let multiplier = 1;
      for (const argument of field.arguments ?? []) {
        if (LIST_ARGUMENTS.has(argument.name.value)) multiplier *= listLength(argument.value, input);
      }
      return multiplier * (1 + childCost);
    },
    (a, b) => a + b,
  );
  return costOf(input.operation.selectionSet);
}

export function queryCostMessage(cost: number, maxCost: number): string {
  return `Query costs ${cost}; the limit is ${maxCost} (MAX_QUERY_COST): fields selected, multiplied by the length of each taskIds or representations list`;
}
