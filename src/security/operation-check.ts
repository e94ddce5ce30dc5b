/**
 * The one operation check every transport runs, stage by stage: the caller (router secret),
 * input bounds on `variables` and `extensions`, parse within the token limit, validation rules
 * (operation types, depth, aliases, introspection), then the rules on the resolved operation
 * (cost). HTTP runs the stages inside Express and Apollo's pipeline; WebSocket runs `request()`.
 * A rule added to a stage's list here applies to both.
 */
import {
  GraphQLError,
  Kind,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
import { checkInput, type BoundedPart, type InputBounds, type InputRefusal } from './input-bounds.js';
import { noIntrospection } from './introspection.js';
import { originRule } from './origin-check.js';
import { supportedOperationTypes } from './operation-types.js';
import { operationCost, queryCostMessage } from './query-cost.js';
import { queryLimitRules, tokenLimitRefusal, type QueryLimits } from './query-limits.js';
import {
  routerSecretRule,
  type CallerPresented,
  type CallerRefusal,
  type CallerRule,
  type RouterSecret,
} from './router-auth.js';

export interface OperationCheckOptions {
  readonly schema: GraphQLSchema;
  readonly queryLimits: QueryLimits;
  readonly inputBounds: InputBounds;
  /** null: any caller is admitted. */
  readonly routerSecret: RouterSecret | null;
  /** Introspection allowed (EXPOSE_SCHEMA). */
  readonly exposeSchema: boolean;
  /** Browser origins allowed besides the subgraph's own (WEBSOCKET_ALLOWED_ORIGINS). */
  readonly allowedOrigins: readonly string[];
}

/** An operation once parsed, validated and picked, with the variables and extensions as the caller sent them. */
export interface ResolvedOperation {
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
  readonly extensions: Readonly<Record<string, unknown>> | undefined;
}

/** A rule that needs the resolved operation and its variables (list sizes); null passes. */
export type OperationRule = (resolved: ResolvedOperation) => GraphQLError | null;

/** One GraphQL request as a transport received it, nothing checked yet. */
export interface OperationRequest {
  readonly query: unknown;
  readonly operationName: string | undefined;
  readonly variables: Readonly<Record<string, unknown>> | undefined;
  readonly extensions: Readonly<Record<string, unknown>> | undefined;
}

export type CheckedRequest = { readonly resolved: ResolvedOperation } | { readonly errors: readonly GraphQLError[] };

export interface OperationCheck {
  readonly schema: GraphQLSchema;
  /** Who calls: run before any operation is read; null admits. */
  caller(presented: CallerPresented): CallerRefusal | null;
  /** False when no caller rule is configured, so a transport can skip the caller stage's step altogether. */
  readonly checksCaller: boolean;
  /** `variables` and `extensions`, before anything walks them; absent parts pass. */
  input(parts: Partial<Record<BoundedPart, unknown>>): InputRefusal | null;
  readonly parseOptions: { readonly maxTokens: number };
  /** The rules beyond graphql-js's own (Apollo's `validationRules`). */
  readonly validationRules: readonly ValidationRule[];
  /** The rules on a resolved operation; the first refusal wins. */
  operation(resolved: ResolvedOperation): GraphQLError | null;
  /** Every stage after the caller's, in order, for a transport with no pipeline of its own. */
  request(request: OperationRequest): CheckedRequest;
}

function coded(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

function costRule(maxCost: number): OperationRule {
  return ({ document, operation, variables }) => {
    const cost = operationCost({ operation, fragments: fragmentsOf(document), variables });
    return cost > maxCost ? coded(queryCostMessage(cost, maxCost), 'BAD_USER_INPUT') : null;
  };
}

/** As Apollo labels them, so WebSocket and HTTP callers read the same codes. */
function parseOrError(query: unknown, maxTokens: number): DocumentNode | GraphQLError {
  if (typeof query !== 'string') return coded('The query must be a string', 'BAD_USER_INPUT');
  try {
    return parse(query, { maxTokens });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const refusal = tokenLimitRefusal({ message, extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
    return refusal ? coded(refusal.message, 'BAD_USER_INPUT') : coded(message, 'GRAPHQL_PARSE_FAILED');
  }
}

function firstRefusal<T, R>(rules: readonly ((input: T) => R | null)[], input: T): R | null {
  for (const rule of rules) {
    const refusal = rule(input);
    if (refusal !== null) return refusal;
  }
  return null;
}

export function createOperationCheck(options: OperationCheckOptions): OperationCheck {
  const { schema, queryLimits, inputBounds } = options;
  // The origin first: a cross-site page is refused as such, whether or not it guessed the secret.
  const callerRules: CallerRule[] = [
    originRule(options.allowedOrigins),
    ...(options.routerSecret ? [routerSecretRule(options.routerSecret)] : []),
  ];
  const validationRules = [
    supportedOperationTypes,
    ...queryLimitRules(queryLimits),
    ...(options.exposeSchema ? [] : [noIntrospection]),
  ];
  const allValidationRules = [...specifiedRules, ...validationRules];
  const operationRules: OperationRule[] = [costRule(queryLimits.maxCost)];
  const check: OperationCheck = {
    schema,
    caller: (presented) => firstRefusal(callerRules, presented),
    checksCaller: callerRules.length > 0,
    input: (parts) => checkInput(parts, inputBounds),
    parseOptions: { maxTokens: queryLimits.maxTokens },
    validationRules,
    operation: (resolved) => firstRefusal(operationRules, resolved),
    request: (request) => {
      const refusal = check.input({ variables: request.variables, extensions: request.extensions });
      if (refusal) return { errors: [coded(refusal.message, 'BAD_USER_INPUT')] };
      const document = parseOrError(request.query, queryLimits.maxTokens);
      if (document instanceof GraphQLError) return { errors: [document] };
      const validationErrors = validate(schema, document, allValidationRules);
      if (validationErrors.length > 0) {
        return {
          errors: validationErrors.map((error) =>
            typeof error.extensions.code === 'string'
              ? error
              : new GraphQLError(error.message, {
                  nodes: error.nodes,
                  extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
                }),
          ),
        };
      }
      const operation = getOperationAST(document, request.operationName);
      if (!operation)
        return {
          errors: [coded('Unable to identify the operation to run: name it with operationName', 'BAD_USER_INPUT')],
        };
      const resolved = { document, operation, variables: request.variables, extensions: request.extensions };
      const refused = check.operation(resolved);
      return refused ? { errors: [refused] } : { resolved };
    },
  };
  return check;
}
