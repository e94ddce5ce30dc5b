/**
 * The deployment files in deploy/ are kept true: supergraph.yaml names this subgraph, and the
 * subgraph's schema composes into a supergraph with @apollo/composition (what rover does), and
 * router.yaml configures the subgraph by the same name and propagates trace context to it.
 */
import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { buildSchema } from '../../src/schema.js';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse as parseYaml } from 'yaml';
import { CLIENT_ERROR_EXTENSIONS } from '../../src/resolvers/errors.js';
import { startTestStack } from '../support/stack.js';

const supergraphYaml = readFileSync('deploy/supergraph.yaml', 'utf8');
const routerYaml = readFileSync('deploy/router.yaml', 'utf8');

describe('deploy/supergraph.yaml and deploy/router.yaml', () => {
  const name = /^ {2}([a-z-]+):\s*$/m.exec(supergraphYaml.split('subgraphs:')[1] ?? '')?.[1];
  const routingUrl = /routing_url:\s*(\S+)/.exec(supergraphYaml)?.[1];

  it('compose the subgraph under the name and URL supergraph.yaml gives it', () => {
    expect(name).toBe('media-tasks');
    expect(routingUrl).toMatch(/^http:\/\/.+\/graphql$/);
    const sdl = printSubgraphSchema(buildSchema());
    const result = composeServices([{ name: name!, url: routingUrl!, typeDefs: parse(sdl) }]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.supergraphSdl).toContain('type ImageTask');
    expect(result.supergraphSdl).toContain('type WorkflowTask');
    // The one hint, and why it stays: docs/DEPLOYMENT.md, "Composing into a supergraph".
    expect((result.hints ?? []).map((hint) => `${hint.definition.code}: ${hint.message}`)).toEqual([
      expect.stringMatching(/^UNUSED_ENUM_TYPE: Enum type "CacheControlScope" is defined but unused/),
    ]);
  });

  it('router.yaml sends the router secret to that subgraph', () => {
    expect(routerYaml).toContain(`    ${name}:\n      request:`);
    expect(routerYaml).toContain('router-authorization');
  });

  it('router.yaml propagates W3C trace context, which the subgraph continues (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
    expect(routerYaml).toMatch(
      /^telemetry:\n {2}exporters:\n {4}tracing:\n(?: {6}#.*\n)* {6}propagation:\n {8}trace_context: true$/m,
    );
  });

  it('router.yaml passes subscriptions through to the path and protocol the subgraph serves them on', () => {
    expect(routerYaml).toMatch(
      /^subscription:\n {2}enabled: true\n {2}mode:\n {4}passthrough:\n {6}subgraphs:\n {8}media-tasks:\n {10}path: \/graphql\n {10}protocol: graphql_ws$/m,
    );
  });
});

describe('deploy/router.yaml lets this subgraph errors reach clients', () => {
  const router = parseYaml(routerYaml) as {
    include_subgraph_errors?: {
      subgraphs?: Record<string, { redact_message?: boolean; allow_extensions_keys?: string[] }>;
    };
  };
  const own = router.include_subgraph_errors?.subgraphs?.['media-tasks'];

  it('keeps the messages, every extension key the subgraph sets and the router own `service`', () => {
    expect(own?.redact_message).toBe(false);
    expect([...(own?.allow_extensions_keys ?? [])].sort()).toEqual([...CLIENT_ERROR_EXTENSIONS, 'service'].sort());
  });

  it('the allowed keys cover what the subgraph answers for a provider failure (NOT_FOUND)', async () => {
    const stack = await startTestStack();
    try {
      const { body } = await stack.query('{ imageTask(taskId: "2600000000-procedure-unknown") { state } }');
      const keys = (body.errors ?? []).flatMap((error) => Object.keys(error.extensions ?? {}));
      expect(keys).toEqual(expect.arrayContaining(['code', 'provider', 'retryable']));
      expect(keys.filter((key) => !(CLIENT_ERROR_EXTENSIONS as readonly string[]).includes(key))).toEqual([]);
    } finally {
      await stack.stop();
    }
  });
});

describe('deploy/supergraph.yaml introspects a subgraph that requires the router secret', () => {
  const supergraph = parseYaml(supergraphYaml) as {
    subgraphs: Record<string, { schema: { subgraph_url: string; introspection_headers?: Record<string, string> } }>;
  };
  const headers = supergraph.subgraphs['media-tasks']?.schema.introspection_headers ?? {};
  const SECRET = 'router-secret-for-composition-0123';
  /** What rover does with `${env.NAME}` in the file. */
  const expand = (value: string) =>
    value.replace(/\$\{env\.([A-Z_]+)\}/g, (_all, name: string) => (name === 'SUBGRAPH_SHARED_SECRET' ? SECRET : ''));

  it('sends SUBGRAPH_SHARED_SECRET from the environment in the header the subgraph checks', async () => {
    expect(headers).toEqual({ 'router-authorization': '${env.SUBGRAPH_SHARED_SECRET}' });
    const stack = await startTestStack({ SUBGRAPH_SHARED_SECRET: SECRET });
    try {
      const expanded = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, expand(value)]));
      const withHeaders = await stack.query('{ _service { sdl } }', undefined, expanded);
      expect(withHeaders.status).toBe(200);
      expect(JSON.stringify(withHeaders.body)).toContain('type ImageTask');
      const without = await stack.query('{ _service { sdl } }');
      expect(without.status).toBe(401);
    } finally {
      await stack.stop();
    }
  });
});
