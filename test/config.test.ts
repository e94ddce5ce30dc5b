import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from '../src/config/index.js';
import { renderGeneratedFiles } from '../src/config/render.js';
import { VARIABLES } from '../src/config/variables.js';

const SECRET_KEY = 'tencent-secret-key-VALUE-0123456789';
const ACCESS_SECRET = 'alibaba-access-secret-VALUE-9876543210';
const SESSION_TOKEN = 'tencent-session-token-VALUE';
const SECURITY_TOKEN = 'alibaba-sts-token-VALUE';
const ROUTER_SECRET = 'router-shared-secret-VALUE-2468';

/** Runs loadConfig and returns the ConfigError it must throw. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The credential sources of a deployment that sets none of their variables, with these static keys. */
function noSources(tencentKeys: object | null, alibabaKeys: object | null) {
  return {
    tencent: {
      static: tencentKeys,
      tke: null,
      stsEndpoint: null,
      credentialsFile: null,
      cvmRole: null,
      metadataOrigin: 'http://metadata.tencentyun.com',
    },
    alibaba: {
      static: alibabaKeys,
      rrsa: null,
      stsEndpoint: null,
      credentialsUri: null,
      credentialsFile: null,
      profile: 'default',
      ecsMetadataRole: null,
      metadataOrigin: 'http://100.100.100.200',
      imdsv1Disabled: false,
    },
  };
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('starts with no variables at all', () => {
      expect(loadConfig({})).toEqual({
        port: 4001,
        host: '127.0.0.1',
        nodeEnv: '',
        logLevel: 'info',
        exposeSchema: true,
        dashboard: true,
        emulator: true,
        tencent: { credentials: null, endpoint: 'https://mps.intl.tencentcloudapi.com' },
        alibaba: { credentials: null, endpoint: 'https://ice.cn-shanghai.aliyuncs.com', region: 'cn-shanghai' },
        credentialSources: noSources(null, null),
        upstream: {
          timeoutMs: 10_000,
          concurrency: 16,
          maxBatchSize: 100,
          maxAttempts: 3,
          retryBaseDelayMs: 100,
          retryMaxDelayMs: 2_000,
          requestDeadlineMs: 15_000,
          rateLimit: { mpsRps: 20, iceRps: 20, maxQueue: 1_000, marginMs: 100, reservedShare: 0.05 },
          cache: {
            terminalTtlMs: 600_000,
            runningTtlMs: 2_000,
            notFoundTtlMs: 2_000,
            maxEntries: 10_000,
            maxBytes: 67_108_864,
          },
          responseCacheMaxBytes: 2 * 1024 * 1024,
        },
        limits: {
          maxTaskIds: 100,
          maxEntityRepresentations: 500,
          bodyLimitBytes: 102_400,
          maxQueryDepth: 12,
          maxQueryAliases: 15,
          maxQueryTokens: 2_000,
          maxQueryCost: 20_000,
          maxInputDepth: 8,
          maxInputValues: 10_000,
          httpRequestTimeoutMs: 15_000,
          httpMaxConnections: 4_096,
        },
        security: { sharedSecret: null, sharedSecretHeader: 'router-authorization', allowedOrigins: [] },
        documentCacheMaxBytes: 8_388_608,
        redis: null,
        subscriptions: {
          waitingIntervalMs: 10_000,
          maxDurationMs: 3_600_000,
          maxPerConnection: 100,
          maxWatchedTasks: 1_000,
          maxWatchedTasksPerClient: 100,
          initTimeoutMs: 10_000,
          maxActive: 5_000,
          callbackUrls: [],
          callbackTimeoutMs: 5_000,
          maxConnections: 1_000,
          maxBufferedBytes: 1_048_576,
          readTimeoutMs: 10_000,
        },
        tracing: null,
        shutdownDelayMs: 0,
        shutdownGraceMs: 20_000,
      });
    });

    it('derives the ICE endpoint from ICE_REGION', () => {
      expect(loadConfig({ ICE_REGION: 'ap-southeast-1' }).alibaba).toEqual({
        credentials: null,
        endpoint: 'https://ice.ap-southeast-1.aliyuncs.com',
        region: 'ap-southeast-1',
      });
    });

    it('treats blank variables as unset', () => {
      const config = loadConfig({
        PORT: '',
        MPS_REGION: '  ',
        TENCENTCLOUD_SECRET_ID: '',
        TENCENTCLOUD_SECRET_KEY: '',
      });
      expect(config.port).toBe(4001);
      expect(config.tencent).toEqual({ credentials: null, endpoint: 'https://mps.intl.tencentcloudapi.com' });
    });

    it('serves the emulator outside production, and in production only with EMULATOR=on', () => {
      expect(loadConfig({}).emulator).toBe(true);
      expect(loadConfig({ NODE_ENV: 'development' }).emulator).toBe(true);
      expect(loadConfig({ NODE_ENV: 'production' }).emulator).toBe(false);
      expect(loadConfig({ NODE_ENV: 'production', EMULATOR: 'on' }).emulator).toBe(true);
      expect(loadConfig({ EMULATOR: 'off' }).emulator).toBe(false);
    });

    it('hides the schema in production unless EXPOSE_SCHEMA turns it on', () => {
      const real = {
        TENCENTCLOUD_SECRET_ID: 'id',
        TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_SECRET,
      };
      expect(loadConfig(real).exposeSchema).toBe(true);
      expect(loadConfig({ NODE_ENV: 'production' }).exposeSchema).toBe(false);
      expect(loadConfig({ ...real, NODE_ENV: 'production' }).exposeSchema).toBe(false);
      expect(loadConfig({ ...real, NODE_ENV: 'development' }).exposeSchema).toBe(true);
      expect(loadConfig({ ...real, NODE_ENV: 'production', EXPOSE_SCHEMA: 'true' }).exposeSchema).toBe(true);
      expect(loadConfig({ EXPOSE_SCHEMA: 'false' }).exposeSchema).toBe(false);
    });

    it('serves the dashboard where Sandbox is, unless DASHBOARD says otherwise', () => {
      expect(loadConfig({}).dashboard).toBe(true);
      expect(loadConfig({ NODE_ENV: 'production' }).dashboard).toBe(false);
      expect(loadConfig({ EXPOSE_SCHEMA: 'false' }).dashboard).toBe(false);
      expect(loadConfig({ NODE_ENV: 'production', EXPOSE_SCHEMA: 'true' }).dashboard).toBe(true);
      expect(loadConfig({ NODE_ENV: 'production', DASHBOARD: 'on' }).dashboard).toBe(true);
      expect(loadConfig({ DASHBOARD: 'off' }).dashboard).toBe(false);
      expect(configError({ DASHBOARD: 'yes' }).message).toContain('DASHBOARD');
    });
  });

  describe('values', () => {
    it('reads every variable', () => {
      const config = loadConfig({
        TENCENTCLOUD_SECRET_ID: 'AKIDEXAMPLE',
        TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
        TENCENTCLOUD_SESSION_TOKEN: SESSION_TOKEN,
        MPS_ENDPOINT: 'http://127.0.0.1:9000/',
        MPS_REGION: 'ap-guangzhou',
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIEXAMPLE',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_SECRET,
        ALIBABA_CLOUD_SECURITY_TOKEN: SECURITY_TOKEN,
        ICE_REGION: 'cn-beijing',
        ICE_ENDPOINT: 'https://ice-vpc.cn-beijing.aliyuncs.com',
        UPSTREAM_TIMEOUT_MS: '2500',
        UPSTREAM_CONCURRENCY: '4',
        UPSTREAM_MAX_BATCH_SIZE: '25',
        UPSTREAM_MAX_ATTEMPTS: '5',
        UPSTREAM_RETRY_BASE_DELAY_MS: '50',
        UPSTREAM_RETRY_MAX_DELAY_MS: '800',
        REQUEST_DEADLINE_MS: '5000',
        MPS_RATE_LIMIT_RPS: '10',
        ICE_RATE_LIMIT_RPS: '30',
        RATE_LIMIT_MAX_QUEUE: '0',
        CACHE_TERMINAL_TTL_MS: '60000',
        CACHE_RUNNING_TTL_MS: '0',
        CACHE_NOT_FOUND_TTL_MS: '500',
        CACHE_MAX_ENTRIES: '0',
        CACHE_MAX_BYTES: '1048576',
        RESPONSE_CACHE_MAX_BYTES: '65536',
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'test',
        LOG_LEVEL: 'debug',
        MAX_TASK_IDS: '10',
        BODY_LIMIT_BYTES: '2048',
        MAX_QUERY_DEPTH: '8',
        MAX_QUERY_ALIASES: '0',
        MAX_QUERY_TOKENS: '500',
        MAX_QUERY_COST: '300',
        MAX_INPUT_DEPTH: '5',
        MAX_INPUT_VALUES: '100',
        SUBGRAPH_SHARED_SECRET: ROUTER_SECRET,
        SUBGRAPH_SHARED_SECRET_HEADER: 'x-router-secret',
        DOCUMENT_CACHE_MAX_BYTES: '1048576',
        SHUTDOWN_DELAY_MS: '5000',
        SHUTDOWN_GRACE_MS: '9000',
        SUBSCRIPTION_WAITING_INTERVAL_MS: '30000',
        SUBSCRIPTION_MAX_DURATION_MS: '600000',
        SUBSCRIPTION_MAX_PER_CONNECTION: '5',
        SUBSCRIPTION_MAX_WATCHED_TASKS: '50',
        SUBSCRIPTION_MAX_WATCHED_TASKS_PER_CLIENT: '10',
        SUBSCRIPTION_INIT_TIMEOUT_MS: '3000',
        RATE_LIMIT_RESERVED_SHARE: '0.1',
        SUBSCRIPTION_MAX_ACTIVE: '200',
        SUBSCRIPTION_CALLBACK_URLS: 'https://router.example:4000/callback, http://10.0.0.5/cb/',
        SUBSCRIPTION_CALLBACK_TIMEOUT_MS: '2000',
        WEBSOCKET_MAX_CONNECTIONS: '20',
        WEBSOCKET_MAX_BUFFERED_BYTES: '65536',
        WEBSOCKET_READ_TIMEOUT_MS: '2500',
        WEBSOCKET_ALLOWED_ORIGINS: 'https://app.example, http://localhost:3000',
        HTTP_REQUEST_TIMEOUT_MS: '4000',
        HTTP_MAX_CONNECTIONS: '300',
        DASHBOARD: 'off',
      });
      expect(config).toEqual({
        port: 0,
        host: '127.0.0.1',
        nodeEnv: 'test',
        logLevel: 'debug',
        exposeSchema: true,
        dashboard: false,
        emulator: true,
        tencent: {
          credentials: { secretId: 'AKIDEXAMPLE', secretKey: SECRET_KEY, sessionToken: SESSION_TOKEN },
          endpoint: 'http://127.0.0.1:9000',
          region: 'ap-guangzhou',
        },
        alibaba: {
          credentials: { accessKeyId: 'LTAIEXAMPLE', accessKeySecret: ACCESS_SECRET, securityToken: SECURITY_TOKEN },
          endpoint: 'https://ice-vpc.cn-beijing.aliyuncs.com',
          region: 'cn-beijing',
        },
        credentialSources: noSources(
          { secretId: 'AKIDEXAMPLE', secretKey: SECRET_KEY, sessionToken: SESSION_TOKEN },
          { accessKeyId: 'LTAIEXAMPLE', accessKeySecret: ACCESS_SECRET, securityToken: SECURITY_TOKEN },
        ),
        upstream: {
          timeoutMs: 2500,
          concurrency: 4,
          maxBatchSize: 25,
          maxAttempts: 5,
          retryBaseDelayMs: 50,
          retryMaxDelayMs: 800,
          requestDeadlineMs: 5000,
          rateLimit: { mpsRps: 10, iceRps: 30, maxQueue: 0, marginMs: 100, reservedShare: 0.1 },
          cache: { terminalTtlMs: 60_000, runningTtlMs: 0, notFoundTtlMs: 500, maxEntries: 0, maxBytes: 1_048_576 },
          responseCacheMaxBytes: 65_536,
        },
        limits: {
          maxTaskIds: 10,
          maxEntityRepresentations: 500,
          bodyLimitBytes: 2048,
          maxQueryDepth: 8,
          maxQueryAliases: 0,
          maxQueryTokens: 500,
          maxQueryCost: 300,
          maxInputDepth: 5,
          maxInputValues: 100,
          httpRequestTimeoutMs: 4_000,
          httpMaxConnections: 300,
        },
        security: {
          sharedSecret: ROUTER_SECRET,
          sharedSecretHeader: 'x-router-secret',
          allowedOrigins: ['https://app.example', 'http://localhost:3000'],
        },
        documentCacheMaxBytes: 1_048_576,
        redis: null,
        subscriptions: {
          waitingIntervalMs: 30_000,
          maxDurationMs: 600_000,
          maxPerConnection: 5,
          maxWatchedTasks: 50,
          maxWatchedTasksPerClient: 10,
          initTimeoutMs: 3_000,
          maxActive: 200,
          callbackUrls: ['https://router.example:4000/callback', 'http://10.0.0.5/cb/'],
          callbackTimeoutMs: 2_000,
          maxConnections: 20,
          maxBufferedBytes: 65_536,
          readTimeoutMs: 2_500,
        },
        tracing: null,
        shutdownDelayMs: 5000,
        shutdownGraceMs: 9000,
      });
    });

    it('accepts the Terraform name TENCENTCLOUD_SECURITY_TOKEN, preferring SESSION_TOKEN', () => {
      const pair = { TENCENTCLOUD_SECRET_ID: 'id', TENCENTCLOUD_SECRET_KEY: SECRET_KEY };
      expect(loadConfig({ ...pair, TENCENTCLOUD_SECURITY_TOKEN: 'terraform' }).tencent.credentials?.sessionToken).toBe(
        'terraform',
      );
      expect(
        loadConfig({ ...pair, TENCENTCLOUD_SECURITY_TOKEN: 'terraform', TENCENTCLOUD_SESSION_TOKEN: 'sdk' }).tencent
          .credentials?.sessionToken,
      ).toBe('sdk');
    });

    it('keeps only the origin of an endpoint', () => {
      expect(loadConfig({ MPS_ENDPOINT: 'https://mps.ap-guangzhou.tencentcloudapi.com:443/' }).tencent.endpoint).toBe(
        'https://mps.ap-guangzhou.tencentcloudapi.com',
      );
    });
  });

  describe('validation names the variable', () => {
    it.each([
      [{ PORT: 'abc' }, 'PORT'],
      [{ PORT: '65536' }, 'PORT'],
      [{ PORT: '-1' }, 'PORT'],
      [{ UPSTREAM_TIMEOUT_MS: '0' }, 'UPSTREAM_TIMEOUT_MS'],
      [{ UPSTREAM_TIMEOUT_MS: '10ms' }, 'UPSTREAM_TIMEOUT_MS'],
      [{ UPSTREAM_TIMEOUT_MS: '1e3' }, 'UPSTREAM_TIMEOUT_MS'],
      [{ UPSTREAM_TIMEOUT_MS: '1.5' }, 'UPSTREAM_TIMEOUT_MS'],
      [{ UPSTREAM_CONCURRENCY: '0' }, 'UPSTREAM_CONCURRENCY'],
      [{ UPSTREAM_MAX_BATCH_SIZE: 'many' }, 'UPSTREAM_MAX_BATCH_SIZE'],
      [{ UPSTREAM_MAX_ATTEMPTS: '0' }, 'UPSTREAM_MAX_ATTEMPTS'],
      [{ UPSTREAM_MAX_ATTEMPTS: '11' }, 'UPSTREAM_MAX_ATTEMPTS'],
      [{ UPSTREAM_RETRY_BASE_DELAY_MS: '500', UPSTREAM_RETRY_MAX_DELAY_MS: '100' }, 'UPSTREAM_RETRY_MAX_DELAY_MS'],
      [{ REQUEST_DEADLINE_MS: '0' }, 'REQUEST_DEADLINE_MS'],
      [{ MPS_RATE_LIMIT_RPS: '0' }, 'MPS_RATE_LIMIT_RPS'],
      [{ ICE_RATE_LIMIT_RPS: '2.5' }, 'ICE_RATE_LIMIT_RPS'],
      [{ RATE_LIMIT_MAX_QUEUE: '-1' }, 'RATE_LIMIT_MAX_QUEUE'],
      [{ CACHE_TERMINAL_TTL_MS: '10m' }, 'CACHE_TERMINAL_TTL_MS'],
      [{ CACHE_MAX_ENTRIES: 'lots' }, 'CACHE_MAX_ENTRIES'],
      [{ CACHE_MAX_BYTES: '64MiB' }, 'CACHE_MAX_BYTES'],
      [{ RESPONSE_CACHE_MAX_BYTES: '-1' }, 'RESPONSE_CACHE_MAX_BYTES'],
      [{ DOCUMENT_CACHE_MAX_BYTES: '8MiB' }, 'DOCUMENT_CACHE_MAX_BYTES'],
      [{ MAX_TASK_IDS: '0' }, 'MAX_TASK_IDS'],
      [{ MAX_ENTITY_REPRESENTATIONS: '0' }, 'MAX_ENTITY_REPRESENTATIONS'],
      [{ BODY_LIMIT_BYTES: '1kb' }, 'BODY_LIMIT_BYTES'],
      [{ MAX_QUERY_DEPTH: '0' }, 'MAX_QUERY_DEPTH'],
      [{ MAX_QUERY_ALIASES: 'none' }, 'MAX_QUERY_ALIASES'],
      [{ MAX_QUERY_TOKENS: '10' }, 'MAX_QUERY_TOKENS'],
      [{ MAX_QUERY_COST: '99' }, 'MAX_QUERY_COST'],
      [{ MAX_INPUT_DEPTH: '2' }, 'MAX_INPUT_DEPTH'],
      [{ MAX_INPUT_VALUES: '5' }, 'MAX_INPUT_VALUES'],
      [{ SUBGRAPH_SHARED_SECRET: 'short' }, 'SUBGRAPH_SHARED_SECRET'],
      // Set but empty or blank must not mean "no authentication" (a secret store that came back empty).
      [{ SUBGRAPH_SHARED_SECRET: '' }, 'SUBGRAPH_SHARED_SECRET'],
      [{ SUBGRAPH_SHARED_SECRET: '   ' }, 'SUBGRAPH_SHARED_SECRET'],
      [{ SUBGRAPH_SHARED_SECRET_HEADER: 'Router Authorization' }, 'SUBGRAPH_SHARED_SECRET_HEADER'],
      [{ SHUTDOWN_DELAY_MS: '1s' }, 'SHUTDOWN_DELAY_MS'],
      [{ SHUTDOWN_GRACE_MS: '10s' }, 'SHUTDOWN_GRACE_MS'],
      // Below the request deadline, the drain would cut requests still within it.
      [{ SHUTDOWN_GRACE_MS: '10000' }, 'SHUTDOWN_GRACE_MS'],
      [{ REQUEST_DEADLINE_MS: '5000', SHUTDOWN_GRACE_MS: '4999' }, 'SHUTDOWN_GRACE_MS'],
      [{ ICE_REGION: 'CN_SHANGHAI' }, 'ICE_REGION'],
      [{ ICE_REGION: 'cn-shanghai.evil.com/' }, 'ICE_REGION'],
      [{ MPS_REGION: 'ap guangzhou' }, 'MPS_REGION'],
      [{ MPS_ENDPOINT: 'mps.tencentcloudapi.com' }, 'MPS_ENDPOINT'],
      [{ MPS_ENDPOINT: 'ftp://mps.tencentcloudapi.com' }, 'MPS_ENDPOINT'],
      [{ MPS_ENDPOINT: 'https://mps.tencentcloudapi.com/v3' }, 'MPS_ENDPOINT'],
      [{ ICE_ENDPOINT: 'https://ice.cn-shanghai.aliyuncs.com/?x=1' }, 'ICE_ENDPOINT'],
      [{ ICE_ENDPOINT: 'not a url' }, 'ICE_ENDPOINT'],
      [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
      [{ EXPOSE_SCHEMA: 'maybe' }, 'EXPOSE_SCHEMA'],
      [{ EMULATOR: 'yes' }, 'EMULATOR'],
      [{ SUBSCRIPTION_CALLBACK_URLS: 'router:4000/callback' }, 'SUBSCRIPTION_CALLBACK_URLS'],
      [{ SUBSCRIPTION_CALLBACK_URLS: 'https://router.example/callback, file:///etc' }, 'SUBSCRIPTION_CALLBACK_URLS'],
      [{ SUBSCRIPTION_CALLBACK_URLS: 'https://user:pass@router.example/callback' }, 'SUBSCRIPTION_CALLBACK_URLS'],
      [{ SUBSCRIPTION_CALLBACK_URLS: 'https://router.example/callback?x=1' }, 'SUBSCRIPTION_CALLBACK_URLS'],
      [{ SUBSCRIPTION_CALLBACK_TIMEOUT_MS: '600000' }, 'SUBSCRIPTION_CALLBACK_TIMEOUT_MS'],
      [{ WEBSOCKET_ALLOWED_ORIGINS: 'https://app.example/page' }, 'WEBSOCKET_ALLOWED_ORIGINS'],
      [{ WEBSOCKET_ALLOWED_ORIGINS: '*' }, 'WEBSOCKET_ALLOWED_ORIGINS'],
      [{ HTTP_REQUEST_TIMEOUT_MS: '10' }, 'HTTP_REQUEST_TIMEOUT_MS'],
      [{ HTTP_MAX_CONNECTIONS: '0' }, 'HTTP_MAX_CONNECTIONS'],
    ])('%j -> %s', (env, variable) => {
      const error = configError(env);
      expect(error.variables).toEqual([variable]);
      expect(error.message).toContain(variable);
    });

    it('reports every problem at once', () => {
      const error = configError({ PORT: 'x', ICE_REGION: 'X', UPSTREAM_TIMEOUT_MS: '0' });
      expect([...error.variables].sort()).toEqual(['ICE_REGION', 'PORT', 'UPSTREAM_TIMEOUT_MS']);
    });
  });

  describe('subscription bounds', () => {
    it('refuses intervals and bounds that would poll in a loop or never end, naming each variable', () => {
      const error = configError({
        SUBSCRIPTION_WAITING_INTERVAL_MS: '0',
        SUBSCRIPTION_MAX_DURATION_MS: '10',
        SUBSCRIPTION_MAX_PER_CONNECTION: '0',
        SUBSCRIPTION_MAX_WATCHED_TASKS: '-1',
        SUBSCRIPTION_INIT_TIMEOUT_MS: 'soon',
      });
      expect(error.variables).toEqual([
        'SUBSCRIPTION_WAITING_INTERVAL_MS',
        'SUBSCRIPTION_MAX_DURATION_MS',
        'SUBSCRIPTION_MAX_PER_CONNECTION',
        'SUBSCRIPTION_MAX_WATCHED_TASKS',
        'SUBSCRIPTION_INIT_TIMEOUT_MS',
      ]);
    });
  });

  describe('credential pairs', () => {
    /** A variable set on its own, and the variable the error must name. */
    const halfConfigured: ReadonlyArray<readonly [Record<string, string>, string]> = [
      [{ TENCENTCLOUD_SECRET_ID: 'AKIDEXAMPLE' }, 'TENCENTCLOUD_SECRET_KEY'],
      [{ TENCENTCLOUD_SECRET_KEY: SECRET_KEY }, 'TENCENTCLOUD_SECRET_ID'],
      [{ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIEXAMPLE' }, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
      [{ ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_SECRET }, 'ALIBABA_CLOUD_ACCESS_KEY_ID'],
      [{ TENCENTCLOUD_SESSION_TOKEN: SESSION_TOKEN }, 'TENCENTCLOUD_SESSION_TOKEN'],
      [{ TENCENTCLOUD_SECURITY_TOKEN: SESSION_TOKEN }, 'TENCENTCLOUD_SECURITY_TOKEN'],
      [{ ALIBABA_CLOUD_SECURITY_TOKEN: SECURITY_TOKEN }, 'ALIBABA_CLOUD_SECURITY_TOKEN'],
    ];

    it.each(halfConfigured.map(([env, variable]) => [Object.keys(env).join(', '), variable, env] as const))(
      '%s alone is reported as %s',
      (_set, variable, env) => {
        const error = configError(env);
        expect(error.variables).toEqual([variable]);
        expect(error.message).toContain(variable);
      },
    );

    it('never echoes a secret value in an error', () => {
      const error = configError({
        TENCENTCLOUD_SECRET_KEY: SECRET_KEY,
        TENCENTCLOUD_SESSION_TOKEN: SESSION_TOKEN,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_SECRET,
        ALIBABA_CLOUD_SECURITY_TOKEN: SECURITY_TOKEN,
        MPS_ENDPOINT: `https://user:${SECRET_KEY}@mps.tencentcloudapi.com`,
        PORT: 'x',
      });
      const everything = `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`;
      for (const secret of [SECRET_KEY, ACCESS_SECRET, SESSION_TOKEN, SECURITY_TOKEN])
        expect(everything).not.toContain(secret);
      expect(error.variables).toEqual(
        expect.arrayContaining(['TENCENTCLOUD_SECRET_ID', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'MPS_ENDPOINT', 'PORT']),
      );
    });

    it('never echoes a too-short router secret', () => {
      const error = configError({ SUBGRAPH_SHARED_SECRET: 'tiny-secret' });
      expect(error.message).toContain('SUBGRAPH_SHARED_SECRET must be at least 16 characters long');
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('tiny-secret');
    });

    it('reports an empty router secret as a mistake, not as "no check"', () => {
      const error = configError({ SUBGRAPH_SHARED_SECRET: '' });
      expect(error.message).toContain('SUBGRAPH_SHARED_SECRET is set but empty');
    });

    it('trims credentials (a trailing newline from a secret file is not part of the key)', () => {
      const config = loadConfig({ TENCENTCLOUD_SECRET_ID: ' id\n', TENCENTCLOUD_SECRET_KEY: `${SECRET_KEY}\n` });
      expect(config.tencent.credentials).toEqual({ secretId: 'id', secretKey: SECRET_KEY });
    });
  });

  it('drains for the request deadline plus a margin unless SHUTDOWN_GRACE_MS says more', () => {
    expect(loadConfig({ REQUEST_DEADLINE_MS: '3000' }).shutdownGraceMs).toBe(8000);
    expect(loadConfig({ REQUEST_DEADLINE_MS: '3000', SHUTDOWN_GRACE_MS: '3000' }).shutdownGraceMs).toBe(3000);
  });

  it('reads process.env by default', () => {
    expect(() => loadConfig()).not.toThrow();
  });
});

describe('loadConfig: credential sources (docs/credentials.md)', () => {
  it('reads the variables ACK RRSA and TKE workload identity inject, the STS endpoints as URLs', () => {
    const { credentialSources } = loadConfig({
      ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1:role/subgraph',
      ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1:oidc-provider/ack',
      ALIBABA_CLOUD_OIDC_TOKEN_FILE: '/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token',
      ALIBABA_CLOUD_STS_ENDPOINT: 'sts-vpc.cn-hangzhou.aliyuncs.com',
      TKE_REGION: 'ap-guangzhou',
      TKE_PROVIDER_ID: 'tke-oidc',
      TKE_WEB_IDENTITY_TOKEN_FILE: '/var/run/secrets/tke/token',
      TKE_ROLE_ARN: 'qcs::cam::uin/1:roleName/subgraph',
      TENCENTCLOUD_STS_ENDPOINT: 'http://127.0.0.1:4010',
    });
    expect(credentialSources.alibaba.rrsa).toEqual({
      roleArn: 'acs:ram::1:role/subgraph',
      oidcProviderArn: 'acs:ram::1:oidc-provider/ack',
      oidcTokenFile: '/var/run/secrets/ack.alibabacloud.com/rrsa-tokens/token',
    });
    expect(credentialSources.alibaba.stsEndpoint).toBe('https://sts-vpc.cn-hangzhou.aliyuncs.com/');
    expect(credentialSources.tencent.tke).toEqual({
      region: 'ap-guangzhou',
      providerId: 'tke-oidc',
      webIdentityTokenFile: '/var/run/secrets/tke/token',
      roleArn: 'qcs::cam::uin/1:roleName/subgraph',
    });
    expect(credentialSources.tencent.stsEndpoint).toBe('http://127.0.0.1:4010/');
  });

  it('reads the URI, the files, the profile and the instance roles', () => {
    const { credentialSources } = loadConfig({
      ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:9000/creds?token=abc',
      ALIBABA_CLOUD_CREDENTIALS_FILE: '/etc/secrets/aliyun',
      ALIBABA_CLOUD_PROFILE: 'prod',
      ALIBABA_CLOUD_ECS_METADATA: 'auto',
      ALIBABA_CLOUD_ECS_METADATA_ORIGIN: 'http://127.0.0.1:9001',
      ALIBABA_CLOUD_IMDSV1_DISABLED: 'true',
      TENCENTCLOUD_CREDENTIALS_FILE: '/etc/secrets/tencent',
      TENCENTCLOUD_CVM_ROLE: 'subgraph-role',
      TENCENTCLOUD_METADATA_ORIGIN: 'http://127.0.0.1:9002',
    });
    expect(credentialSources.alibaba).toMatchObject({
      credentialsUri: 'http://127.0.0.1:9000/creds?token=abc',
      credentialsFile: '/etc/secrets/aliyun',
      profile: 'prod',
      ecsMetadataRole: 'auto',
      metadataOrigin: 'http://127.0.0.1:9001',
      imdsv1Disabled: true,
    });
    expect(credentialSources.tencent).toMatchObject({
      credentialsFile: '/etc/secrets/tencent',
      cvmRole: 'subgraph-role',
      metadataOrigin: 'http://127.0.0.1:9002',
    });
  });

  it('refuses part of an OIDC group, naming what is missing, and an STS endpoint that is no URL', () => {
    expect(() =>
      loadConfig({
        ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1:role/x',
        TKE_REGION: 'ap-guangzhou',
        TENCENTCLOUD_STS_ENDPOINT: 'ftp://sts',
      }),
    ).toThrow(ConfigError);
    try {
      loadConfig({
        ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1:role/x',
        TKE_REGION: 'ap-guangzhou',
        TENCENTCLOUD_STS_ENDPOINT: 'ftp://sts',
      });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('ALIBABA_CLOUD_OIDC_PROVIDER_ARN is required when ALIBABA_CLOUD_ROLE_ARN is set');
      expect(message).toContain('ALIBABA_CLOUD_OIDC_TOKEN_FILE is required when ALIBABA_CLOUD_ROLE_ARN is set');
      expect(message).toContain('TKE_ROLE_ARN is required when TKE_REGION is set');
      expect(message).toContain('TENCENTCLOUD_STS_ENDPOINT must be a host name or an http(s) URL');
    }
  });
});

describe('loadConfig: shared mode (REDIS_URL)', () => {
  const PASSWORD = 'redis-config-password-77';

  it('is off without REDIS_URL, and reads the Redis settings when it is set', () => {
    expect(loadConfig({}).redis).toBeNull();
    expect(
      loadConfig({
        REDIS_URL: `rediss://app:${PASSWORD}@redis.internal:6380/2`,
        REDIS_KEY_PREFIX: 'mts:',
        REDIS_FALLBACK_RPS_SHARE: '0.25',
        REDIS_COMMAND_TIMEOUT_MS: '100',
        REDIS_LEASE_MS: '2000',
      }).redis,
    ).toEqual({
      url: `rediss://app:${PASSWORD}@redis.internal:6380/2`,
      keyPrefix: 'mts:',
      fallbackRpsShare: 0.25,
      commandTimeoutMs: 100,
      leaseMs: 2000,
      valueKey: null,
    });
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).redis).toEqual({
      url: 'redis://127.0.0.1:6379',
      keyPrefix: 'media-task-subgraph:',
      fallbackRpsShare: 0.5,
      commandTimeoutMs: 250,
      leaseMs: 3000,
      valueKey: null,
    });
  });

  it('reads REDIS_VALUE_KEY, and refuses one that is empty or short without echoing it', () => {
    const key = 'redis-value-key-for-config-test-0123456789';
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_VALUE_KEY: key }).redis?.valueKey).toBe(key);
    for (const bad of ['', 'short-redis-value-key-77']) {
      let error: unknown;
      try {
        loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_VALUE_KEY: bad });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variables).toEqual(['REDIS_VALUE_KEY']);
      if (bad) expect((error as ConfigError).message).not.toContain(bad);
    }
  });

  it.each([
    [`http://u:${PASSWORD}@host:6379`],
    [`redis://:${PASSWORD}@`],
    [`redis://u:${PASSWORD}@host/x/y`],
    [`not a url ${PASSWORD}`],
  ])('refuses REDIS_URL=%j naming the variable, never echoing it', (url) => {
    let error: unknown;
    try {
      loadConfig({ REDIS_URL: url });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual(['REDIS_URL']);
    expect((error as ConfigError).message).not.toContain(PASSWORD);
  });

  it.each([['0'], ['1.5'], ['half'], ['-0.2']])('refuses REDIS_FALLBACK_RPS_SHARE=%j', (share) => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_FALLBACK_RPS_SHARE: share })).toThrow(
      /REDIS_FALLBACK_RPS_SHARE/,
    );
  });
});

describe('loadConfig: OpenTelemetry traces (OTEL_*)', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT, and names the service media-task-subgraph by default', () => {
    expect(loadConfig({}).tracing).toBeNull();
    expect(loadConfig({ OTEL_SERVICE_NAME: 'mts' }).tracing).toBeNull();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' }).tracing).toEqual({
      endpoint: 'http://otel-collector:4318',
      serviceName: 'media-task-subgraph',
    });
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example/otlp', OTEL_SERVICE_NAME: 'media-tasks-eu' })
        .tracing,
    ).toEqual({ endpoint: 'https://otel.example/otlp', serviceName: 'media-tasks-eu' });
  });

  it('refuses an endpoint that is not an http(s) URL without echoing it', () => {
    const secretish = 'grpc://user:collector-password-1@otel:4317';
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: secretish })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    try {
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: secretish });
    } catch (error) {
      expect(String(error)).not.toContain('collector-password-1');
    }
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});

describe('the table of variables and the files generated from it', () => {
  const root = new URL('../', import.meta.url);

  it.each(renderGeneratedFiles(VARIABLES).map(({ path, content }) => [path, content]))(
    '%s is up to date (run `npm run docs` when this fails)',
    (path, content) => {
      expect(readFileSync(new URL(path, root), 'utf8')).toBe(content);
    },
  );

  it('names every variable loadConfig reads, and loadConfig reads every variable it names', () => {
    const asked = new Set<string>();
    const env = new Proxy<NodeJS.ProcessEnv>(
      {},
      { get: (_target, name) => (typeof name === 'string' && asked.add(name), undefined) },
    );
    loadConfig(env);
    const declared = Object.entries(VARIABLES).flatMap(([name, variable]) => [name, ...variable.aliases]);
    expect([...asked].sort()).toEqual([...declared].sort());
  });

  it('.env.example, uncommented, gives the defaults loadConfig starts with', () => {
    const example = readFileSync(new URL('.env.example', root), 'utf8');
    const env = Object.fromEntries(
      [...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((match) => [match[1] ?? '', match[2] ?? '']),
    );
    expect(Object.keys(env)).toHaveLength(Object.keys(VARIABLES).length);
    // Blank is unset for every variable but the secrets that turn on a check, where it is a mistake: left commented.
    delete env.SUBGRAPH_SHARED_SECRET;
    delete env.REDIS_VALUE_KEY;
    expect(loadConfig(env)).toEqual(loadConfig({}));
  });

  it('listens on loopback by default, on all interfaces in production, and where HOST says', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'production' }).host).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'production', HOST: '127.0.0.1' }).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('states derived defaults by the variable they follow', () => {
    const derivedFrom = Object.entries(VARIABLES).flatMap(([name, variable]) =>
      variable.default.kind === 'derived' ? [[name, variable.default.from]] : [],
    );
    expect(derivedFrom).toEqual([
      ['ICE_ENDPOINT', 'ICE_REGION'],
      ['HOST', 'NODE_ENV'],
      ['EXPOSE_SCHEMA', 'NODE_ENV'],
      ['DASHBOARD', 'EXPOSE_SCHEMA'],
      ['EMULATOR', 'NODE_ENV'],
      ['HTTP_REQUEST_TIMEOUT_MS', 'REQUEST_DEADLINE_MS'],
      ['SHUTDOWN_GRACE_MS', 'REQUEST_DEADLINE_MS'],
    ]);
  });
});
