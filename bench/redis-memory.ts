/**
 * Measurement 10: what Redis holds per finished task in shared mode. A fresh redis-server is
 * filled with 10,000 typical finished tasks per provider through the shared tier's own write path
 * (a lookup: the Lua lookup, the lease, the provider call against the emulator, the Lua finish
 * that stores the parsed answer), and `INFO memory`'s used_memory is read before and after.
 * used_memory is what Redis allocated (keys, values, expiry entries, its dictionaries), the
 * figure `maxmemory` is compared with.
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { SEED, type RunningEmulator } from '../src/emulator/index.js';
import { seedImageTasks, seedWorkflowTasks } from '../src/emulator/seed-tasks.js';
import type { ProviderName } from '../src/providers/errors.js';
import { imageTaskSource, workflowTaskSource } from '../src/sources/provider-sources.js';
import { isImageTaskModel, isWorkflowTaskModel } from '../src/upstream/shared/model-shapes.js';
import { SHARED_FORMAT_VERSION } from '../src/upstream/shared/keys.js';
import { startRedisServer } from '../support/redis-server.js';
import { emulatorIceClient, emulatorMpsClient } from './emulator-clients.js';
import { eachConcurrently, sharedStack } from './shared-stack.js';

export interface RedisMemoryRow {
  readonly provider: ProviderName;
  /** Which seed task each stored task copies. */
  readonly shape: string;
  /** Lookups made. */
  readonly tasks: number;
  /** Task keys Redis holds afterwards: a lookup whose Redis command timed out went to the provider alone and stored nothing. */
  readonly taskKeys: number;
  readonly usedMemoryBeforeBytes: number;
  readonly usedMemoryAfterBytes: number;
  /** (after - before) / taskKeys. */
  readonly bytesPerTask: number;
  /** Mean length of the stored JSON text (STRLEN over a sample). */
  readonly meanValueBytes: number;
  /** Mean MEMORY USAGE of a task key over a sample (key, value and overhead as Redis counts one key). */
  readonly meanMemoryUsageBytes: number;
  readonly redisVersion: string;
}

export interface RedisMemorySummary {
  readonly tasks: number;
  readonly rows: RedisMemoryRow[];
}

const usedMemory = async (redis: Redis): Promise<number> =>
  Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? Number.NaN);

async function fill(
  emulator: RunningEmulator,
  redisUrl: string,
  provider: ProviderName,
  tasks: number,
): Promise<Omit<RedisMemoryRow, 'redisVersion'>> {
  const admin = new Redis(redisUrl);
  try {
    await admin.flushall();
    const tag = randomBytes(4).toString('hex');
    const ids = Array.from({ length: tasks }, (_, index) =>
      provider === 'tencent-mps'
        ? `24000089-WorkflowTask-m${tag}${String(index).padStart(15, '0')}`
        : `m${tag}${String(index).padStart(24, '0')}`,
    );
    let shape: string;
    if (provider === 'tencent-mps') {
      shape = 'seed finishedSuccess (FINISH, one SUCCESS result with outputs)';
      const seed = seedImageTasks().get(SEED.image.finishedSuccess)!;
      for (const taskId of ids) emulator.putImageTask(taskId, seed);
    } else {
      shape = 'seed succeeded (succeeded, graph, node results, inputs and outputs)';
      const seed = seedWorkflowTasks().get(SEED.workflow.succeeded)!;
      for (const taskId of ids) emulator.putWorkflowTask(taskId, { ...seed, TaskId: taskId });
    }
    const mps = emulatorMpsClient(emulator.url);
    const ice = emulatorIceClient(emulator.url);
    const stack =
      provider === 'tencent-mps'
        ? await sharedStack(provider, imageTaskSource(mps), isImageTaskModel, {
            redisUrl,
            localCacheEntries: 0,
            commandTimeoutMs: 5_000,
          })
        : await sharedStack(provider, workflowTaskSource(ice), isWorkflowTaskModel, {
            redisUrl,
            localCacheEntries: 0,
            commandTimeoutMs: 5_000,
          });
    try {
      const before = await usedMemory(admin);
      // Few at a time, and a patient command timeout: on a loaded machine a timed-out command would store nothing.
      await eachConcurrently(ids, 8, (taskId) => stack.upstream.source(taskId));
      const after = await usedMemory(admin);
      const taskKeys = await admin.keys(`bench:${SHARED_FORMAT_VERSION}:*:task:*`);
      const keys = taskKeys.slice(0, 200);
      let valueBytes = 0;
      let usageBytes = 0;
      for (const key of keys) {
        valueBytes += await admin.strlen(key);
        usageBytes += Number((await admin.call('MEMORY', 'USAGE', key)) ?? 0);
      }
      return {
        provider,
        shape,
        tasks,
        taskKeys: taskKeys.length,
        usedMemoryBeforeBytes: before,
        usedMemoryAfterBytes: after,
        bytesPerTask: (after - before) / Math.max(1, taskKeys.length),
        meanValueBytes: valueBytes / Math.max(1, keys.length),
        meanMemoryUsageBytes: usageBytes / Math.max(1, keys.length),
      };
    } finally {
      await stack.close();
    }
  } finally {
    admin.disconnect();
  }
}

export async function measureRedisMemory(emulator: RunningEmulator, tasks: number): Promise<RedisMemorySummary> {
  const redis = await startRedisServer();
  try {
    const admin = new Redis(redis.url);
    const redisVersion = /^redis_version:(\S+)/m.exec(await admin.info('server'))?.[1] ?? 'unknown';
    admin.disconnect();
    const rows: RedisMemoryRow[] = [];
    for (const provider of ['tencent-mps', 'alibaba-ice'] as const)
      rows.push({ ...(await fill(emulator, redis.url, provider, tasks)), redisVersion });
    return { tasks, rows };
  } finally {
    await redis.stop();
  }
}
