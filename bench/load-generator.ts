/**
 * The load generator in a process of its own: load.ts forks it once (per core list) and sends it
 * one LoadSpec per run over the IPC channel; it answers with the LoadResult.
 *
 * Run in the bench's own process, autocannon shared its event loop and heap with the emulator
 * and with what earlier measurements left behind. A process of its own that lives for the whole
 * run (so its JIT stays warm: a fresh process per run read 36k-49k req/s against the same server)
 * puts the same load generator in front of every target.
 */
import autocannon from 'autocannon';
import { loadOptions, toLoadResult, type LoadSpec } from './load.js';

process.on('message', (spec: LoadSpec) => {
  autocannon(loadOptions(spec)).then(
    (result) => process.send?.({ ok: true, result: toLoadResult(result) }),
    (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
