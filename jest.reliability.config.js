/**
 * `npm run test:reliability`: fault, fuzz, load and secrets scenarios over real HTTP
 * (test/reliability/*.reliability.ts). Not part of `npm test`: the load scenario alone
 * runs RELIABILITY_LOAD_SECONDS (default 60). Files run one at a time (--runInBand) so
 * no scenario's load skews another's figures.
 */
import base from './jest.config.js';

export default {
  ...base,
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.reliability.ts'],
  testTimeout: 600_000,
};
