/**
 * Runs the emulator on its own, for tools in another process (a dev subgraph pointed at
 * it with MPS_ENDPOINT / ICE_ENDPOINT, a load test driving faults over /__emulator/).
 *
 *   node dist/emulator/main.js [--port 4010] [--host 127.0.0.1]
 *
 * Flags, not environment variables: config.ts is the only reader of process.env.
 */
import { parseArgs } from 'node:util';
import { emulatorBanner } from './banner.js';
import { startEmulator } from './server.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);

const emulator = await startEmulator({ port, host: values.host });
process.stdout.write(emulatorBanner(emulator.url));

const stop = (): void => {
  void emulator.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
