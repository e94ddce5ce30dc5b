/** Signed provider clients of the bench's own, pointed at the emulator with the credentials it accepts. */
import { randomBytes } from 'node:crypto';
import fetch from 'node-fetch';
import { EMULATOR_CREDENTIALS } from '../src/emulator/index.js';
import { createIceClient, type IceClient } from '../src/providers/alibaba/client.js';
import { createMpsClient, type MpsClient } from '../src/providers/tencent/client.js';

export function emulatorIceClient(endpoint: string): IceClient {
  return createIceClient({
    fetch,
    now: Date.now,
    randomNonce: () => randomBytes(16).toString('hex'),
    config: { endpoint, region: 'cn-shanghai', credentials: { ...EMULATOR_CREDENTIALS.alibaba } },
    timeoutMs: 10_000,
  });
}

export function emulatorMpsClient(endpoint: string): MpsClient {
  return createMpsClient({
    fetch,
    now: Date.now,
    config: { endpoint, credentials: { ...EMULATOR_CREDENTIALS.tencent } },
    timeoutMs: 10_000,
  });
}
