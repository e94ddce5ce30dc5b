/**
 * Which keys the emulator accepts. Shaped like real keys (AKID… / LTAI…) so a
 * client's format checks pass, and obviously fake so nobody mistakes them for secrets.
 */
import type { AlibabaCredential, EmulatorOptions, TencentCredential } from './types.js';

export const EMULATOR_CREDENTIALS = {
  tencent: { secretId: 'AKIDEMULATOR00000000000000000000TC3E', secretKey: 'EmulatorTencentSecretKey00000000' },
  alibaba: { accessKeyId: 'LTAI5tEmulator0000000ACS', accessKeySecret: 'EmulatorAlibabaAccessKeySecret' },
} as const;

/** The variables that point a subgraph at an emulator at `url`, for both providers, with the keys it accepts. */
export function subgraphEnvFor(url: string): {
  readonly tencent: Record<string, string>;
  readonly alibaba: Record<string, string>;
} {
  const { tencent, alibaba } = EMULATOR_CREDENTIALS;
  return {
    tencent: {
      MPS_ENDPOINT: url,
      TENCENTCLOUD_SECRET_ID: tencent.secretId,
      TENCENTCLOUD_SECRET_KEY: tencent.secretKey,
    },
    alibaba: {
      ICE_ENDPOINT: url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: alibaba.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: alibaba.accessKeySecret,
    },
  };
}

export interface CredentialBook {
  tencent(secretId: string): TencentCredential | undefined;
  alibaba(accessKeyId: string): AlibabaCredential | undefined;
}

/** Options' lists replace the defaults, so a test can prove an unknown key is refused. */
export function credentialBook(options: EmulatorOptions): CredentialBook {
  const tencent = new Map<string, TencentCredential>(
    (options.tencentCredentials ?? [EMULATOR_CREDENTIALS.tencent]).map((c) => [c.secretId, { ...c }]),
  );
  const alibaba = new Map<string, AlibabaCredential>(
    (options.alibabaCredentials ?? [EMULATOR_CREDENTIALS.alibaba]).map((c) => [c.accessKeyId, { ...c }]),
  );
  return {
    tencent: (secretId) => tencent.get(secretId),
    alibaba: (accessKeyId) => alibaba.get(accessKeyId),
  };
}
