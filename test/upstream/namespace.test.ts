/** Deployment namespaces: equal for the same client of the same provider, different otherwise, and opaque. */
import { EMULATOR_CREDENTIALS } from '../../src/emulator/index.js';
import { sharedKeys } from '../../src/upstream/shared/keys.js';
import { deploymentNamespace, type DeploymentIdentity } from '../../src/upstream/shared/namespace.js';

const REAL: DeploymentIdentity = {
  provider: 'tencent-mps',
  endpoint: 'https://mps.tencentcloudapi.com',
  keyId: 'AKIDREALACCOUNT0001',
  region: 'ap-guangzhou',
  emulator: false,
};

describe('deployment namespace', () => {
  it('is the same for the same identity, whatever the order its fields were given in', () => {
    const reordered: DeploymentIdentity = {
      emulator: false,
      region: 'ap-guangzhou',
      keyId: 'AKIDREALACCOUNT0001',
      endpoint: 'https://mps.tencentcloudapi.com',
      provider: 'tencent-mps',
    };
    expect(deploymentNamespace(reordered)).toBe(deploymentNamespace(REAL));
    expect(deploymentNamespace(REAL)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differs when any one thing the answer depends on differs', () => {
    const variants: DeploymentIdentity[] = [
      { ...REAL, provider: 'alibaba-ice' },
      { ...REAL, endpoint: 'https://mps.staging.example' },
      { ...REAL, keyId: 'AKIDOTHERACCOUNT002' },
      { ...REAL, region: 'ap-singapore' },
      { ...REAL, region: undefined },
      { ...REAL, emulator: true },
      { ...REAL, endpoint: 'http://127.0.0.1:40000', keyId: EMULATOR_CREDENTIALS.tencent.secretId, emulator: true },
    ];
    const namespaces = new Set([REAL, ...variants].map(deploymentNamespace));
    expect(namespaces.size).toBe(variants.length + 1);
  });

  it('puts neither the key id nor the endpoint into any key or channel name', () => {
    const keys = sharedKeys('media-task-subgraph:', 'tencent-mps', deploymentNamespace(REAL));
    const names = [keys.quota, keys.done, keys.task('t-1'), keys.lease('t-1')];
    for (const name of names) {
      expect(name).toContain(deploymentNamespace(REAL));
      expect(name).not.toContain(REAL.keyId);
      expect(name).not.toContain('tencentcloudapi');
    }
    expect(new Set(names).size).toBe(4);
  });
});
