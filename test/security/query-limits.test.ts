/**
 * The depth and alias rules against the real schema, and the token-limit rewording.
 * graphql-js runs them next to its own rules, so they must survive invalid documents
 * (fragment cycles, unknown fragments) and stay linear in the document's size.
 */
import { getIntrospectionQuery, parse, specifiedRules, validate, type GraphQLError } from 'graphql';
import { buildSchema } from '../../src/schema.js';
import { maxAliasesRule, maxDepthRule, tokenLimitRefusal } from '../../src/security/query-limits.js';

const schema = buildSchema();

function limitErrors(query: string, limits: { depth?: number; aliases?: number }): GraphQLError[] {
  const rules = [maxDepthRule(limits.depth ?? 100), maxAliasesRule(limits.aliases ?? 100)];
  return [...validate(schema, parse(query), rules)];
}

describe('maxDepthRule', () => {
  it('measures the deepest path, fields only', () => {
    const query = '{ workflowTask(taskId: "a") { taskId workflow { graph { nodes { result { status } } } } } }';
    expect(limitErrors(query, { depth: 6 })).toEqual([]);
    expect(limitErrors(query, { depth: 5 }).map((error) => [error.message, error.extensions.code])).toEqual([
      ['Query is 6 levels deep; the limit is 5 levels (MAX_QUERY_DEPTH)', 'BAD_USER_INPUT'],
    ]);
  });

  it('checks every operation of a document on its own', () => {
    const query =
      'query A { imageTask(taskId: "a") { taskId } } query B { workflowTask(taskId: "a") { workflow { graph { edges { source } } } } }';
    expect(limitErrors(query, { depth: 3 }).map((error) => error.message)).toEqual([
      'Query is 5 levels deep; the limit is 3 levels (MAX_QUERY_DEPTH)',
    ]);
  });

  it('exempts introspection, which Apollo switches off in production', () => {
    expect(limitErrors(getIntrospectionQuery(), { depth: 2 })).toEqual([]);
  });

  it('survives fragment cycles and unknown fragments (graphql-js reports those)', () => {
    const cyclic =
      '{ imageTask(taskId: "a") { ...A } } fragment A on ImageTask { results { ...B } } fragment B on ImageProcessResult { ...A2 } fragment A2 on ImageProcessResult { ...B }';
    expect(() => limitErrors(cyclic, { depth: 3 })).not.toThrow();
    expect(() => limitErrors('{ imageTask(taskId: "a") { ...Missing } }', { depth: 3 })).not.toThrow();
  });

  it('walks each fragment once however often it is spread', () => {
    // 40 fragments, each spreading the next twice: 2^40 paths if fragments were re-walked.
    const fragments = Array.from({ length: 40 }, (_, i) =>
      i === 39 ? `fragment F${i} on ImageTask { taskId }` : `fragment F${i} on ImageTask { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    const query = `{ imageTask(taskId: "a") { ...F0 } }\n${fragments}`;
    expect(limitErrors(query, { depth: 1 }).map((error) => error.message)).toEqual([
      'Query is 2 levels deep; the limit is 1 levels (MAX_QUERY_DEPTH)',
    ]);
  });
});

describe('maxAliasesRule', () => {
  it('counts aliased fields at every level, __typename included', () => {
    const query =
      '{ a: imageTask(taskId: "a") { id: taskId t: __typename } b: workflowTask(taskId: "b") { s: state } }';
    expect(limitErrors(query, { aliases: 5 })).toEqual([]);
    expect(limitErrors(query, { aliases: 4 }).map((error) => [error.message, error.extensions.code])).toEqual([
      ['Query uses 5 aliases; the limit is 4 aliases (MAX_QUERY_ALIASES)', 'BAD_USER_INPUT'],
    ]);
  });

  it('counts a fragment once per spread, computing it once', () => {
    const fragments = Array.from({ length: 30 }, (_, i) =>
      i === 29
        ? `fragment F${i} on Query { x: imageTask(taskId: "a") { taskId } }`
        : `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    const errors = limitErrors(`{ ...F0 }\n${fragments}`, { aliases: 15 });
    expect(errors.map((error) => error.message)).toEqual([
      `Query uses ${2 ** 29} aliases; the limit is 15 aliases (MAX_QUERY_ALIASES)`,
    ]);
  });

  it('runs beside graphql-js rules without disturbing them', () => {
    const errors = validate(schema, parse('{ nope }'), [...specifiedRules, maxAliasesRule(0), maxDepthRule(1)]);
    expect(errors.map((error) => error.message)).toEqual(['Cannot query field "nope" on type "Query".']);
  });
});

describe('tokenLimitRefusal', () => {
  it('rewords the parser token-limit error as BAD_USER_INPUT naming the limit', () => {
    expect(
      tokenLimitRefusal({
        message: 'Syntax Error: Document contains more that 2000 tokens. Parsing aborted.',
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      }),
    ).toEqual({
      message: 'Query has more than 2000 tokens; the limit is 2000 tokens (MAX_QUERY_TOKENS)',
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('leaves every other error alone', () => {
    expect(
      tokenLimitRefusal({
        message: 'Syntax Error: Expected Name, found <EOF>.',
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      }),
    ).toBeNull();
    expect(
      tokenLimitRefusal({ message: 'Document contains more that 5 tokens', extensions: { code: 'NOT_FOUND' } }),
    ).toBeNull();
  });
});
