/**
 * Folds over an operation's selections with fragments inlined, working each fragment out
 * once however often it is spread. The query limits (depth, aliases) and the query cost
 * are such folds: `field` lifts a child's value over a field, `combine` merges siblings.
 * An unknown fragment or a fragment cycle counts as 0 here; validation reports them.
 */
import { Kind, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';

export function foldSelections(
  fragmentNamed: (name: string) => FragmentDefinitionNode | undefined,
  field: (node: FieldNode, childValue: number) => number,
  combine: (a: number, b: number) => number,
): (selectionSet: SelectionSetNode) => number {
  const fragmentValues = new Map<string, number>();
  const inProgress = new Set<string>();

  const fragmentValue = (name: string): number => {
    const known = fragmentValues.get(name);
    if (known !== undefined) return known;
    const fragment = fragmentNamed(name);
    if (!fragment || inProgress.has(name)) return 0;
    inProgress.add(name);
    const value = fold(fragment.selectionSet);
    inProgress.delete(name);
    fragmentValues.set(name, value);
    return value;
  };

  function fold(selectionSet: SelectionSetNode): number {
    let value = 0;
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD:
          value = combine(value, field(selection, selection.selectionSet ? fold(selection.selectionSet) : 0));
          break;
        case Kind.INLINE_FRAGMENT:
          value = combine(value, fold(selection.selectionSet));
          break;
        case Kind.FRAGMENT_SPREAD:
          value = combine(value, fragmentValue(selection.name.value));
          break;
      }
    }
    return value;
  }
  return fold;
}
