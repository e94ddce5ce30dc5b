/**
 * The Kubernetes manifests (deploy/kubernetes/) and the compose file (deploy/compose.yaml) are kept
 * true, although nothing here runs them: every variable they set is one the service reads and its
 * value passes loadConfig, the kill timeouts cover SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS, names,
 * ports and selectors agree, and a real `node dist/index.js` started with their environment (Redis
 * and the emulator on loopback in place of the cluster's) answers the probe paths they name.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fetch from 'node-fetch';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/index.js';
import { VARIABLES } from '../../src/config/variables.js';
import { EMULATOR_CREDENTIALS, SEED } from '../../src/emulator/index.js';
import { buildDist, readyUrl, spawnSubgraph, type SubgraphProcess } from '../support/process.js';
import { startRedisServer, type RedisServer } from '../../support/redis-server.js';
import { until } from '../support/ws-client.js';

/** What a pod needs after the drain: flushing its logs and exiting, before the orchestrator's SIGKILL. */
const EXIT_MARGIN_MS = 5_000;
const K8S = 'deploy/kubernetes';

const text = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
/** Compose files use merge keys (`<<: *subgraph`); Kubernetes manifests are one object per file. */
const yamlOf = (path: string): Record<string, unknown> => parse(text(path), { merge: true }) as Record<string, unknown>;

/** The variables the service reads: the configuration table's names and their other names. */
function knownVariables(): Set<string> {
  return new Set(Object.entries(VARIABLES).flatMap(([name, variable]) => [name, ...variable.aliases]));
}

interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string; readonly optional?: boolean };
  };
}
interface Probe {
  readonly httpGet: { readonly path: string; readonly port: string | number };
  readonly periodSeconds: number;
  readonly failureThreshold: number;
}
interface Container {
  readonly name: string;
  readonly image: string;
  readonly ports: ReadonlyArray<{ readonly name: string; readonly containerPort: number }>;
  readonly envFrom: ReadonlyArray<{ readonly configMapRef?: { readonly name: string } }>;
  readonly env: readonly EnvVar[];
  readonly livenessProbe: Probe;
  readonly readinessProbe: Probe;
  readonly resources: { readonly requests: Record<string, string>; readonly limits: Record<string, string> };
}
interface Deployment {
  readonly kind: 'Deployment';
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly replicas: number;
    readonly selector: { readonly matchLabels: Record<string, string> };
    readonly template: {
      readonly metadata: { readonly labels: Record<string, string> };
      readonly spec: {
        readonly serviceAccountName: string;
        readonly terminationGracePeriodSeconds: number;
        readonly containers: readonly Container[];
      };
    };
  };
}
interface ComposeService {
  readonly image?: string;
  readonly command?: readonly string[];
  readonly ports?: readonly string[];
  readonly environment?: Record<string, string>;
  readonly depends_on?: Record<string, unknown>;
  readonly stop_grace_period?: string;
  readonly healthcheck?: { readonly test: readonly string[] };
}

const deployment = yamlOf(`${K8S}/deployment.yaml`) as unknown as Deployment;
const container = deployment.spec.template.spec.containers[0]!;
const configMap = yamlOf(`${K8S}/configmap.yaml`) as {
  kind: string;
  metadata: { name: string };
  data: Record<string, string>;
};
const service = yamlOf(`${K8S}/service.yaml`) as {
  kind: string;
  metadata: { name: string };
  spec: { selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: string | number }> };
};
const budget = yamlOf(`${K8S}/poddisruptionbudget.yaml`) as {
  kind: string;
  spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } };
};
const serviceAccount = yamlOf(`${K8S}/serviceaccount.yaml`) as { kind: string; metadata: { name: string } };
const compose = yamlOf('deploy/compose.yaml') as { services: Record<string, ComposeService> };
const replicas = Object.entries(compose.services).filter(([name]) => name.startsWith('subgraph-'));

/** Stand-ins for the Secret's values, of the shapes loadConfig expects. */
const SECRET_VALUES: Record<string, string> = {
  REDIS_URL: 'redis://redis.internal:6379/0',
  SUBGRAPH_SHARED_SECRET: 'a-router-secret-of-32-characters',
  TENCENTCLOUD_SECRET_ID: EMULATOR_CREDENTIALS.tencent.secretId,
  TENCENTCLOUD_SECRET_KEY: EMULATOR_CREDENTIALS.tencent.secretKey,
  ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.alibaba.accessKeyId,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.alibaba.accessKeySecret,
};

/** A pod's environment: the ConfigMap (envFrom), then `env`, secret references filled from `secrets`. */
function podEnv(secrets: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { ...configMap.data };
  for (const variable of container.env) {
    const ref = variable.valueFrom?.secretKeyRef;
    const value = ref ? secrets[ref.key] : variable.value;
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

/** Kubernetes-style durations as compose writes them (`27s`, `1m30s`). */
function seconds(duration: string): number {
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (!match || duration === '') throw new Error(`not a duration: ${duration}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

const OIDC_VARIABLES = [
  'ALIBABA_CLOUD_ROLE_ARN',
  'ALIBABA_CLOUD_OIDC_PROVIDER_ARN',
  'ALIBABA_CLOUD_OIDC_TOKEN_FILE',
  'TKE_REGION',
  'TKE_PROVIDER_ID',
  'TKE_WEB_IDENTITY_TOKEN_FILE',
  'TKE_ROLE_ARN',
];

describe('deploy/kubernetes and deploy/compose.yaml', () => {
  const known = knownVariables();

  it('finds the variables the service reads', () => {
    expect([...known]).toEqual(
      expect.arrayContaining([
        'PORT',
        'HOST',
        'REDIS_URL',
        'SHUTDOWN_DELAY_MS',
        'SHUTDOWN_GRACE_MS',
        'TENCENTCLOUD_SECRET_ID',
      ]),
    );
  });

  it('set no variable the service does not read', () => {
    const k8s = [...Object.keys(configMap.data), ...container.env.map((variable) => variable.name)];
    expect(k8s.filter((name) => !known.has(name))).toEqual([]);
    const composed = replicas.flatMap(([, replica]) => Object.keys(replica.environment ?? {}));
    expect(composed.length).toBeGreaterThan(0);
    expect(composed.filter((name) => !known.has(name))).toEqual([]);
  });

  it("set the vendors' OIDC variables exactly when the service reads them (until then, a commented block)", () => {
    const set = new Set(container.env.map((variable) => variable.name));
    const commented = [...text(`${K8S}/deployment.yaml`).matchAll(/^\s*#\s*- name: ([A-Z][A-Z0-9_]+)$/gm)].map(
      (match) => match[1],
    );
    for (const name of OIDC_VARIABLES) {
      expect({ name, set: set.has(name) }).toEqual({ name, set: known.has(name) });
      expect({ name, commented: commented.includes(name) }).toEqual({ name, commented: !known.has(name) });
    }
  });

  it('set values loadConfig accepts: production, Redis shared mode, both providers configured', () => {
    const k8s = loadConfig(podEnv(SECRET_VALUES));
    expect(k8s.nodeEnv).toBe('production');
    expect(k8s.emulator).toBe(false);
    expect(k8s.redis?.fallbackRpsShare).toBeLessThanOrEqual(1 / deployment.spec.replicas);
    expect(k8s.security.sharedSecret).toBe(SECRET_VALUES['SUBGRAPH_SHARED_SECRET']);
    for (const [name, replica] of replicas) {
      const config = loadConfig(replica.environment);
      expect({
        name,
        redis: config.redis !== null,
        tencent: config.tencent.credentials !== null,
        alibaba: config.alibaba.credentials !== null,
      }).toEqual({
        name,
        redis: true,
        tencent: true,
        alibaba: true,
      });
      expect(config.redis?.fallbackRpsShare).toBeLessThanOrEqual(1 / replicas.length);
    }
  });

  it("give the pods a kill timeout that covers SHUTDOWN_DELAY_MS + SHUTDOWN_GRACE_MS, and notice /ready's 503 within the delay", () => {
    const config = loadConfig(podEnv(SECRET_VALUES));
    expect(config.shutdownDelayMs).toBeGreaterThan(0);
    // Unset in the ConfigMap, the grace follows the request deadline (its default is derived from it).
    expect(Object.keys(configMap.data)).not.toContain('SHUTDOWN_GRACE_MS');
    expect(config.shutdownGraceMs).toBeGreaterThan(config.upstream.requestDeadlineMs);
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(
      config.shutdownDelayMs + config.shutdownGraceMs + EXIT_MARGIN_MS,
    );
    const readiness = container.readinessProbe;
    expect(readiness.periodSeconds * readiness.failureThreshold * 1000).toBeLessThan(config.shutdownDelayMs);

    for (const [name, replica] of replicas) {
      const composed = loadConfig(replica.environment);
      expect({
        name,
        stop:
          seconds(replica.stop_grace_period ?? '10s') * 1000 >=
          composed.shutdownDelayMs + composed.shutdownGraceMs + EXIT_MARGIN_MS,
      }).toEqual({ name, stop: true });
    }
  });

  it('probe /health for liveness and /ready for readiness, on the port the subgraph listens on', () => {
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    const port = container.ports.find((each) => each.name === container.readinessProbe.httpGet.port);
    expect(port?.containerPort).toBe(loadConfig(podEnv(SECRET_VALUES)).port);
    expect(container.livenessProbe.httpGet.port).toBe(port?.name);
    expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(container.resources.limits['memory']).toMatch(/^\d+Mi$/);
  });

  it('select the same pods with the Deployment, the Service and the PodDisruptionBudget, under the name supergraph.yaml routes to', () => {
    const labels = deployment.spec.template.metadata.labels;
    expect(labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(labels).toMatchObject(service.spec.selector);
    expect(labels).toMatchObject(budget.spec.selector.matchLabels);
    expect(budget.spec.maxUnavailable).toBeLessThan(deployment.spec.replicas);
    expect(deployment.spec.template.spec.serviceAccountName).toBe(serviceAccount.metadata.name);
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }]);

    const [servicePort] = service.spec.ports;
    expect(servicePort?.targetPort).toBe('http');
    const routing = new URL(/routing_url:\s*(\S+)/.exec(text('deploy/supergraph.yaml'))?.[1] ?? '');
    expect([routing.hostname, Number(routing.port), routing.pathname]).toEqual([
      service.metadata.name,
      servicePort?.port,
      '/graphql',
    ]);
  });

  it('take every secret from one Secret: Redis and the router secret required, provider keys optional', () => {
    const refs = container.env.flatMap((variable) =>
      variable.valueFrom?.secretKeyRef ? [{ variable: variable.name, ...variable.valueFrom.secretKeyRef }] : [],
    );
    expect(new Set(refs.map((ref) => ref.name))).toEqual(new Set([deployment.metadata.name]));
    expect(refs.every((ref) => ref.key === ref.variable)).toBe(true);
    expect(
      refs
        .filter((ref) => ref.optional !== true)
        .map((ref) => ref.key)
        .sort(),
    ).toEqual(['REDIS_URL', 'SUBGRAPH_SHARED_SECRET']);
    expect(
      refs
        .filter((ref) => ref.optional === true)
        .map((ref) => ref.key)
        .sort(),
    ).toEqual([
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'TENCENTCLOUD_SECRET_ID',
      'TENCENTCLOUD_SECRET_KEY',
    ]);
    // Nothing secret sits in the ConfigMap.
    expect(Object.keys(configMap.data).filter((name) => Object.keys(SECRET_VALUES).includes(name))).toEqual([]);
  });

  it('are all listed in kustomization.yaml, one object each', () => {
    const files = readdirSync(new URL(`../../${K8S}`, import.meta.url)).filter(
      (file) => file.endsWith('.yaml') && file !== 'kustomization.yaml',
    );
    expect(((yamlOf(`${K8S}/kustomization.yaml`) as { resources: string[] }).resources ?? []).sort()).toEqual(
      files.sort(),
    );
    for (const file of files)
      expect({ file, documents: parseAllDocuments(text(`${K8S}/${file}`)).length }).toEqual({ file, documents: 1 });
    expect([deployment.kind, configMap.kind, service.kind, budget.kind, serviceAccount.kind].sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
  });

  it('compose: three replicas on distinct host ports, each publishing the port it listens on, pointed at its Redis and emulator services', () => {
    expect(replicas.map(([name]) => name)).toEqual(['subgraph-1', 'subgraph-2', 'subgraph-3']);
    const published = replicas.map(([, replica]) => {
      const [host, inside] = (replica.ports?.[0] ?? '').split(':');
      expect(Number(inside)).toBe(loadConfig(replica.environment).port);
      return Number(host);
    });
    expect(new Set(published).size).toBe(3);

    const emulator = compose.services['emulator']!;
    const command = emulator.command ?? [];
    // What `npm run emulator` runs, on a fixed port, on every interface of its container.
    expect(command.slice(0, 2)).toEqual(['node', 'dist/emulator/main.js']);
    expect((JSON.parse(text('package.json')) as { scripts: Record<string, string> }).scripts['emulator']).toContain(
      'node dist/emulator/main.js',
    );
    const emulatorPort = command[command.indexOf('--port') + 1];
    expect(command[command.indexOf('--host') + 1]).toBe('0.0.0.0');
    expect(emulator.ports).toEqual([`${emulatorPort}:${emulatorPort}`]);
    expect(emulator.healthcheck?.test.join(' ')).toContain(`http://127.0.0.1:${emulatorPort}/__emulator/health`);

    for (const [name, replica] of replicas) {
      const config = loadConfig(replica.environment);
      expect({ name, mps: config.tencent.endpoint, ice: config.alibaba.endpoint }).toEqual({
        name,
        mps: `http://emulator:${emulatorPort}`,
        ice: `http://emulator:${emulatorPort}`,
      });
      expect({ name, tencent: config.tencent.credentials, alibaba: config.alibaba.credentials }).toEqual({
        name,
        ...EMULATOR_CREDENTIALS,
      });
      expect(new URL(config.redis?.url ?? '').hostname).toBe('redis');
      expect(Object.keys(replica.depends_on ?? {}).sort()).toEqual(['emulator', 'redis']);
      expect(config.host).toBe('0.0.0.0');
    }
    expect(compose.services['redis']?.image).toMatch(/^redis:7/);
  });

  describe('with a real process', () => {
    let redis: RedisServer;
    const started: SubgraphProcess[] = [];
    const emulators: Array<ReturnType<typeof spawn>> = [];

    beforeAll(async () => {
      buildDist();
      redis = await startRedisServer();
    });
    afterAll(async () => {
      for (const each of started) each.kill();
      for (const each of emulators) each.kill('SIGKILL');
      await redis?.stop();
    });

    /** compose's emulator command, on a free loopback port instead of its container's fixed one. */
    async function startComposeEmulator(): Promise<string> {
      const command = [...(compose.services['emulator']?.command ?? [])];
      command[command.indexOf('--port') + 1] = '0';
      command[command.indexOf('--host') + 1] = '127.0.0.1';
      const child = spawn(process.execPath, command.slice(1), { env: { PATH: process.env['PATH'] ?? '' } });
      emulators.push(child);
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      child.stderr.resume();
      await until(() => /listening on (http:\/\/\S+)/.test(out), 'the emulator to listen');
      return /listening on (http:\/\/\S+)/.exec(out)![1]!.replace(/\/$/, '');
    }

    /** The environment with the cluster's or compose's hosts replaced by what runs on loopback here. */
    function onLoopback(env: Record<string, string>, emulatorUrl: string): Record<string, string> {
      return {
        ...env,
        HOST: '127.0.0.1',
        PORT: '0',
        REDIS_URL: redis.url,
        ...(env['MPS_ENDPOINT'] !== undefined && { MPS_ENDPOINT: emulatorUrl }),
        ...(env['ICE_ENDPOINT'] !== undefined && { ICE_ENDPOINT: emulatorUrl }),
      };
    }

    const get = async (url: string, path: string): Promise<number> => (await fetch(new URL(path, url))).status;

    it("the Deployment's environment: the probe paths answer 200, the replica is in shared mode, and SIGTERM turns readiness 503 while liveness stays 200", async () => {
      const emulatorUrl = await startComposeEmulator();
      // No provider keys in the Secret: the pod's OIDC identity serves, the emulator standing in for STS,
      // and the projected token files written here where the volumes would mount them.
      const secrets = Object.fromEntries(
        Object.entries(SECRET_VALUES).filter(([name]) => !/^(TENCENTCLOUD|ALIBABA_CLOUD)_/.test(name)),
      );
      const tokens = mkdtempSync(join(tmpdir(), 'pod-tokens-'));
      writeFileSync(join(tokens, 'rrsa'), 'projected-rrsa-token');
      writeFileSync(join(tokens, 'tke'), 'projected-tke-token');
      const pod = podEnv(secrets);
      expect(
        Object.keys(pod).filter((name) => /SECRET|ACCESS_KEY/.test(name) && name !== 'SUBGRAPH_SHARED_SECRET'),
      ).toEqual([]);
      // The cluster reaches the providers at their defaults; here the emulator stands in for both.
      const env = {
        ...onLoopback(pod, emulatorUrl),
        MPS_ENDPOINT: emulatorUrl,
        ICE_ENDPOINT: emulatorUrl,
        ALIBABA_CLOUD_STS_ENDPOINT: emulatorUrl,
        TENCENTCLOUD_STS_ENDPOINT: emulatorUrl,
        ALIBABA_CLOUD_OIDC_TOKEN_FILE: join(tokens, 'rrsa'),
        TKE_WEB_IDENTITY_TOKEN_FILE: join(tokens, 'tke'),
      };
      const subgraph = spawnSubgraph(env);
      started.push(subgraph);
      const url = await readyUrl(subgraph);
      const { livenessProbe, readinessProbe } = container;
      expect([await get(url, livenessProbe.httpGet.path), await get(url, readinessProbe.httpGet.path)]).toEqual([
        200, 200,
      ]);
      const metrics = await (await fetch(new URL('/metrics', url))).text();
      expect(metrics).toMatch(/^redis_up 1$/m);
      expect(metrics).toContain('provider_credential_source{provider="tencent-mps",source="tke-oidc"} 1');
      expect(metrics).toContain('provider_credential_source{provider="alibaba-ice",source="rrsa-oidc"} 1');

      const answer = await fetch(new URL('/graphql', url), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'router-authorization': SECRET_VALUES['SUBGRAPH_SHARED_SECRET']!,
        },
        body: JSON.stringify({ query: `{ imageTask(taskId: "${SEED.image.finishedSuccess}") { taskId state } }` }),
      });
      expect(await answer.json()).toEqual({
        data: { imageTask: { taskId: SEED.image.finishedSuccess, state: 'SUCCEEDED' } },
      });
      // Only the router may ask: the Secret's SUBGRAPH_SHARED_SECRET is in force.
      expect(
        (
          await fetch(new URL('/graphql', url), {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"query":"{ __typename }"}',
          })
        ).status,
      ).toBe(401);

      subgraph.child.kill('SIGTERM');
      let readiness = 200;
      while (readiness === 200) readiness = await get(url, readinessProbe.httpGet.path);
      expect(readiness).toBe(503);
      expect(await get(url, livenessProbe.httpGet.path)).toBe(200);
      expect(await subgraph.exited).toBe(0);
      rmSync(tokens, { recursive: true, force: true });
    });

    it("a compose replica's environment, against compose's emulator command: probes answer and the emulator accepts its keys", async () => {
      const emulatorUrl = await startComposeEmulator();
      expect(await get(emulatorUrl, '/__emulator/health')).toBe(200);
      const [, replica] = replicas[0]!;
      const subgraph = spawnSubgraph(onLoopback(replica.environment ?? {}, emulatorUrl));
      started.push(subgraph);
      const url = await readyUrl(subgraph);
      expect([await get(url, '/health'), await get(url, '/ready')]).toEqual([200, 200]);
      const answer = await fetch(new URL('/graphql', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `{ imageTask(taskId: "${SEED.image.finishedSuccess}") { state } workflowTask(taskId: "${SEED.workflow.succeeded}") { state } }`,
        }),
      });
      expect(await answer.json()).toEqual({
        data: { imageTask: { state: 'SUCCEEDED' }, workflowTask: { state: 'SUCCEEDED' } },
      });
      expect(await get(url, '/dashboard')).toBe(200);
      subgraph.child.kill('SIGTERM');
      expect(await subgraph.exited).toBe(0);
    });
  });
});
