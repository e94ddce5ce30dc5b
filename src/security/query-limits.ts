/**
 * Bounds on one GraphQL document, checked before anything executes:
 *
 * - tokens (`maxTokens`, enforced by graphql-js's parser through Apollo's parseOptions)
 *   bound the parse and validation work of any document;
 * - aliases bound fan-out: without aliases a field can appear once per response key,
 *   so the four root lookups can ask for at most 4 × MAX_TASK_IDS tasks, and every alias
 *   adds one more lookup of up to MAX_TASK_IDS ids (or, `__typename` included, one more
 *   key per object of a list);
 * - cost (query-cost.ts) bounds fields × list sizes, which needs the variables and so
 *   runs once the operation is resolved, not here;
 * - depth bounds nesting. The schema has no cycles today, but `_entities` and future
 *   fields could make one; how deep the real queries go is in MAX_QUERY_DEPTH's description
 *   (src/config/variables.ts).
 *
 * Written here rather than taken from a library: the rules must report (not throw),
 * carry our BAD_USER_INPUT code, flatten fragments (`... on WorkflowTask` is no level)
 * and walk each fragment once however often it is spread (fold-selections.ts, shared with the cost).
 */
import { GraphQLError, type ASTNode, type GraphQLFormattedError, type ValidationRule } from 'graphql';
import { foldSelections } from './fold-selections.js';

export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  /** Fields selected times list sizes; checked by query-cost-plugin.ts, which needs the variables. */
  readonly maxCost: number;
}

function limitError(message: string, node: ASTNode): GraphQLError {
  return new GraphQLError(message, { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } });
}

/** Introspection (`__schema`, `__type`) is exempt: Apollo switches it off in production, and it never reaches a provider. */
const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

export function maxDepthRule(maxDepth: number): ValidationRule {
  return (context) => {
    const depthOf = foldSelections(
      (name) => context.getFragment(name) ?? undefined,
      (field, childDepth) => (INTROSPECTION_ROOTS.has(field.name.value) ? 0 : 1 + childDepth),
      Math.max,
    );
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet);
        if (depth > maxDepth) {
          context.reportError(limitError(`Query is ${depth} levels deep; the limit is ${maxDepth} levels (MAX_QUERY_DEPTH)`, operation));
        }
      },
    };
  };
}

export function maxAliasesRule(maxAliases: number): ValidationRule {
  return (context) => {
    // `__typename` aliases count too: they cost no resolver work, but each one adds a key to
    // every object of a list, and over a long `_entities` list that multiplies the response.
    const aliasesIn = foldSelections(
      (name) => context.getFragment(name) ?? undefined,
      (field, childAliases) => childAliases + (field.alias !== undefined ? 1 : 0),
      (a, b) => a + b,
    );
    return {
      OperationDefinition(operation) {
        const aliases = aliasesIn(operation.selectionSet);
        if (aliases > maxAliases) {
          context.reportError(limitError(`Query uses ${aliases} aliases; the limit is ${maxAliases} aliases (MAX_QUERY_ALIASES)`, operation));
        }
      },
    };
  };
}

export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  return [maxDepthRule(limits.maxDepth), maxAliasesRule(limits.maxAliases)];
}

/** graphql-js's wording (`more that N tokens`, sic); matched loosely in case it is ever corrected. */
const TOKEN_LIMIT_MESSAGE = /Document contains more th[ae]t? (\d+) tokens/;

/**
 * The parser's token-limit error arrives as GRAPHQL_PARSE_FAILED; it is a refusal of
 * the caller's input like the other limits, so it gets their code and a message
 * naming the limit. Returns null for every other error.
 */
export function tokenLimitRefusal(formatted: GraphQLFormattedError): GraphQLFormattedError | null {
  if (formatted.extensions?.code !== 'GRAPHQL_PARSE_FAILED') return null;
  const match = TOKEN_LIMIT_MESSAGE.exec(formatted.message);
  if (!match) return null;
  return {
    message: `Query has more than ${match[1]} tokens; the limit is ${match[1]} tokens (MAX_QUERY_TOKENS)`,
    extensions: { code: 'BAD_USER_INPUT' },
  };
}
