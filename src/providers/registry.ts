/**
 * One descriptor per provider: its name (the `ProviderName` on errors, metrics and logs), the
 * config section, GraphQL field and entity, API action, credential variables, rate, and how its
 * signed client and plain task source are built. Whatever is done per provider loops over these.
 */
import { CREDENTIAL_VARIABLES, type AppConfig } from '../config/index.js';
import type { EMULATOR_CREDENTIALS, SampleKind } from '../emulator/index.js';
import type { ImageTaskModel, WorkflowTaskModel } from '../parsing/models.js';
import type { TaskSources } from '../loaders/task-loaders.js';
import { imageTaskSource, workflowTaskSource } from '../sources/provider-sources.js';
import type { TaskSource } from '../sources/task-source.js';
import { isImageTaskModel, isWorkflowTaskModel } from '../upstream/shared/model-shapes.js';
import type { Check } from '../upstream/shared/shape.js';
import { createIceClient, ICE_ACTION_GET_AI_WORKFLOW_TASK } from './alibaba/client.js';
import type { AppCredentials } from './credentials/start.js';
import type { ProviderName } from './errors.js';
import type { FetchLike } from './http.js';
import { createMpsClient, MPS_ACTION_DESCRIBE_IMAGE_TASK_DETAIL } from './tencent/client.js';

/** What the app hands a provider's client. */
export interface ClientDeps {
  readonly fetch: FetchLike;
  readonly now: () => number;
  readonly randomNonce: () => string;
  readonly timeoutMs: number;
}

/** The built-in emulator a provider without credentials may be pointed at (a type only: loading it is the app's call). */
export interface EmulatorTarget {
  readonly url: string;
  readonly credentials: typeof EMULATOR_CREDENTIALS;
}

export interface Connection<T> {
  /** Where the signed calls go. */
  readonly endpoint: string;
  /**
   * Who it signs as, public and stable across credential refreshes (a key id, a role ARN: CredentialSource.identity),
   * and the region it sends: part of its Redis namespace.
   */
  readonly keyId: string;
  readonly region: string | undefined;
  readonly source: TaskSource<T>;
}

export interface ProviderDescriptor<T extends { readonly terminal: boolean }> {
  readonly name: ProviderName;
  /** For people: log messages and the banner. */
  readonly title: string;
  /** Its `AppConfig` section. */
  readonly configKey: 'tencent' | 'alibaba';
  /** Its query field and loader, and the entity that field returns. */
  readonly field: keyof TaskSources;
  readonly entity: 'ImageTask' | 'WorkflowTask';
  /** The one API action its lookups make (metric and span label). */
  readonly action: string;
  readonly credentialVariables: readonly string[];
  /** Field of the 'subgraph listening' log line that says who answers it. */
  readonly logField: 'mps' | 'ice';
  /** Its sample tasks in the emulator's list. */
  readonly sampleKind: SampleKind;
  /** Whether a value read back from Redis is this provider's model (src/upstream/shared/model-shapes.ts). */
  readonly accepts: Check<T>;
  ratePerSecond(upstream: AppConfig['upstream']): number;
  /** Whether a credential source is configured for it (docs/credentials.md). */
  hasCredentials(credentials: AppCredentials): boolean;
  /** The plain source over a signed client: its own credential source, else the emulator's keys when given, else null. */
  connect(
    config: AppConfig,
    deps: ClientDeps,
    emulator: EmulatorTarget | null,
    credentials: AppCredentials,
  ): Connection<T> | null;
}

const TENCENT_MPS: ProviderDescriptor<ImageTaskModel> = {
  name: 'tencent-mps',
  title: 'Tencent MPS',
  configKey: 'tencent',
  field: 'imageTask',
  entity: 'ImageTask',
  action: MPS_ACTION_DESCRIBE_IMAGE_TASK_DETAIL,
  credentialVariables: CREDENTIAL_VARIABLES.tencent,
  logField: 'mps',
  sampleKind: 'image',
  accepts: isImageTaskModel,
  ratePerSecond: (upstream) => upstream.rateLimit.mpsRps,
  hasCredentials: (credentials) => credentials.tencent !== null,
  connect(config, deps, emulator, credentials) {
    const holder = credentials.tencent;
    if (holder) {
      const client = createMpsClient({
        fetch: deps.fetch,
        now: deps.now,
        config: config.tencent,
        timeoutMs: deps.timeoutMs,
        credentials: holder,
      });
      return {
        endpoint: config.tencent.endpoint,
        keyId: holder.identity,
        region: config.tencent.region,
        source: imageTaskSource(client),
      };
    }
    if (!emulator) return null;
    const section = { ...config.tencent, endpoint: emulator.url, credentials: { ...emulator.credentials.tencent } };
    const client = createMpsClient({ fetch: deps.fetch, now: deps.now, config: section, timeoutMs: deps.timeoutMs });
    return {
      endpoint: section.endpoint,
      keyId: section.credentials.secretId,
      region: section.region,
      source: imageTaskSource(client),
    };
  },
};

const ALIBABA_ICE: ProviderDescriptor<WorkflowTaskModel> = {
  name: 'alibaba-ice',
  title: 'Alibaba ICE',
  configKey: 'alibaba',
  field: 'workflowTask',
  entity: 'WorkflowTask',
  action: ICE_ACTION_GET_AI_WORKFLOW_TASK,
  credentialVariables: CREDENTIAL_VARIABLES.alibaba,
  logField: 'ice',
  sampleKind: 'workflow',
  accepts: isWorkflowTaskModel,
  ratePerSecond: (upstream) => upstream.rateLimit.iceRps,
  hasCredentials: (credentials) => credentials.alibaba !== null,
  connect(config, deps, emulator, credentials) {
    const holder = credentials.alibaba;
    if (holder) {
      const client = createIceClient({
        fetch: deps.fetch,
        now: deps.now,
        randomNonce: deps.randomNonce,
        config: config.alibaba,
        timeoutMs: deps.timeoutMs,
        credentials: holder,
      });
      return {
        endpoint: config.alibaba.endpoint,
        keyId: holder.identity,
        region: config.alibaba.region,
        source: workflowTaskSource(client),
      };
    }
    if (!emulator) return null;
    const section = { ...config.alibaba, endpoint: emulator.url, credentials: { ...emulator.credentials.alibaba } };
    const client = createIceClient({
      fetch: deps.fetch,
      now: deps.now,
      randomNonce: deps.randomNonce,
      config: section,
      timeoutMs: deps.timeoutMs,
    });
    return {
      endpoint: section.endpoint,
      keyId: section.credentials.accessKeyId,
      region: section.region,
      source: workflowTaskSource(client),
    };
  },
};

export const PROVIDERS: { readonly [P in ProviderName]: ProviderDescriptor<{ readonly terminal: boolean }> } = {
  'tencent-mps': TENCENT_MPS,
  'alibaba-ice': ALIBABA_ICE,
};

/** In this order: start-up warnings, gauges and log fields follow it. */
export const PROVIDER_LIST: readonly ProviderDescriptor<{ readonly terminal: boolean }>[] = [TENCENT_MPS, ALIBABA_ICE];

/** Any model type T: each provider's own source keeps its own model. */
export type SourceBuilder = <T extends { readonly terminal: boolean }>(
  provider: ProviderDescriptor<T>,
) => TaskSource<T>;

/** The loaders' sources under each provider's `field`, built in PROVIDER_LIST order. */
export function taskSources(build: SourceBuilder): TaskSources {
  return { imageTask: build(TENCENT_MPS), workflowTask: build(ALIBABA_ICE) };
}
