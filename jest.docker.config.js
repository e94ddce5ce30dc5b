/** The Dockerfile replayed without Docker (test/kit/*.docker.ts): minutes of npm ci, so not in `npm test`; .ci/run runs it. */
import base from './jest.config.js';

export default { ...base, testMatch: ['**/*.docker.ts'], testTimeout: 600_000 };
