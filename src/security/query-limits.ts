/**
 * Bounds on one document, checked before anything executes: depth and aliases as validation rules
 * (reported, not thrown, with BAD_USER_INPUT; fragments flattened, each walked once), tokens in the
 * parser (its error renamed here). Cost needs the variables: query-cost.ts, on the resolved operation.
 */
import { GraphQLError, type ASTNode, type GraphQLFormattedError, type ValidationRule } from 'graphql';
import { foldSelections } from './fold-selections.js';
import { INTROSPECTION_FIELDS } from './introspection.js';

export interface QueryLimits {
  readonly maxDepth: number;
  readonly maxAliases: number;
  readonly maxTokens: number;
  /** Fields selected times list sizes; checked on the resolved operation (operation-check.ts), which needs the variables. */
  readonly maxCost: number;
}

function limitError(message: string, node: ASTNode): GraphQLError {
  return new GraphQLError(message, { nodes: [node], extensions: { code: 'BAD_USER_INPUT' } });
}

export function maxDepthRule(maxDepth: number): ValidationRule {
  return (context) => {
    const depthOf = foldSelections(
      (name) => context.getFragment(name) ?? undefined,
      (field, childDepth) => (INTROSPECTION_FIELDS.has(field.name.value) ? 0 : 1 + childDepth),
      Math.max,
    );
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet);
        if (depth > maxDepth) {
          context.reportError(
            limitError(`Query is ${depth} levels deep; the limit is ${maxDepth} levels (MAX_QUERY_DEPTH)`, operation),
          );
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
          context.reportError(
            limitError(
              `Query uses ${aliases} aliases; the limit is ${maxAliases} aliases (MAX_QUERY_ALIASES)`,
              operation,
            ),
          );
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
