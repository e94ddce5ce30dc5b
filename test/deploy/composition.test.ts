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
  });

  it('router.yaml sends the router secret to that subgraph', () => {
    expect(routerYaml).toContain(`    ${name}:\n      request:`);
    expect(routerYaml).toContain('router-authorization');
  });

  it('router.yaml propagates W3C trace context, which the subgraph continues (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
    expect(routerYaml).toMatch(/^telemetry:\n {2}exporters:\n {4}tracing:\n(?: {6}#.*\n)* {6}propagation:\n {8}trace_context: true$/m);
  });

  it('router.yaml passes subscriptions through to the path and protocol the subgraph serves them on', () => {
    expect(routerYaml).toMatch(/^subscription:\n {2}enabled: true\n {2}mode:\n {4}passthrough:\n {6}subgraphs:\n {8}media-tasks:\n {10}path: \/graphql\n {10}protocol: graphql_ws$/m);
  });
});
