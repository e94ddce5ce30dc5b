/** Process entry: read config, start the subgraph, stop cleanly on SIGTERM/SIGINT. */
import { randomBytes } from 'node:crypto';
import fetch from 'node-fetch';
import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config/index.js';
import { PROVIDER_LIST } from './providers/registry.js';
import { startupBanner } from './banner.js';
import { ENV_FILE, loadEnvFile } from './env-file.js';
import { createLogger, stdoutDestination } from './logger.js';

/** Once stdout has failed, how long exit waits for a flush that can no longer complete. */
const EXIT_FLUSH_TIMEOUT_MS = 5_000;

/**
 * The banner goes through process.stdout, which reports a closed reader (EPIPE) as an
 * 'error' event: unhandled, that event would crash the process, and pino's exit hook would
 * then spin on the log lines it still holds. The banner is a courtesy; losing it is fine.
 */
function guardStdout(): (text: string) => void {
  let lost = false;
  process.stdout.on('error', () => {
    lost = true;
  });
  return (text) => {
    if (!lost && process.stdout.writable) process.stdout.write(text);
  };
}

/** For notices about stdout itself; if stderr is gone too, there is no one left to tell. */
function toStderr(text: string): void {
  if (process.stderr.writable) process.stderr.write(text);
}

async function main(): Promise<void> {
  const print = guardStdout();
  process.stderr.on('error', () => undefined);
  let config;
  let fromEnvFile: string[] | null;
  try {
    fromEnvFile = loadEnvFile();
  } catch (error) {
    process.stderr.write(
      `media-task-subgraph: cannot read ${ENV_FILE}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}\n`,
    );
    process.exit(1);
  }
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`media-task-subgraph: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const destination = stdoutDestination({
    onLost: (error) =>
      toStderr(
        `media-task-subgraph: stdout failed (${(error as NodeJS.ErrnoException).code ?? error.message}); dropping log lines and serving on\n`,
      ),
  });
  const logger = createLogger(config.logLevel, destination, { redactHeaders: [config.security.sharedSecretHeader] });
  if (fromEnvFile)
    logger.info({ file: ENV_FILE, variables: fromEnvFile }, `read ${fromEnvFile.length} variables from ${ENV_FILE}`);
  const app = await startApp(
    config,
    { fetch, now: Date.now, randomNonce: () => randomBytes(16).toString('hex'), logger },
    { port: config.port, host: config.host },
  );

  // Before the banner: once it says "ready at", a SIGTERM (a test's, an orchestrator's) must find its handler.
  let stopping = false;
  // Logs go out asynchronously: flush what is queued before the process ends. The timer only
  // matters if a flush can never finish (a destination that stopped answering); unref'd, it
  // holds nothing open.
  const exit = (code: number): void => {
    process.exitCode = code;
    setTimeout(() => process.exit(code), EXIT_FLUSH_TIMEOUT_MS).unref();
    // A request's log line is written in an immediate after its answer (logging-plugin.ts), and
    // the drain can end in the same turn as the last answer: let those lines in before the flush.
    setImmediate(() => logger.flush(() => process.exit(code)));
  };
  const shutdown = (signal: string): void => {
    // A second signal during the drain is an operator who will not wait: exit now, as most servers do.
    if (stopping) {
      logger.warn({ signal }, 'second signal during the drain: exiting without waiting for it');
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, 'draining in-flight requests before exit');
    app.stop().then(
      () => exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  // Sample ids only when the emulator serves them: with real providers they would be ids nobody has.
  const emulated = PROVIDER_LIST.filter((provider) => app.providers[provider.name] === 'emulator').map(
    (provider) => provider.title,
  );
  if (app.emulator && app.samples.length > 0) {
    const ids = (await import('./emulator/index.js')).sampleTaskIds();
    logger.info(
      { emulator: app.emulator.url, sampleImageTaskIds: ids.image, sampleWorkflowTaskIds: ids.workflow },
      `no credentials for ${emulated.join(' and ')}: serving the built-in provider emulator`,
    );
  }
  print(
    startupBanner({
      url: app.url,
      emulated: app.samples.length > 0 ? emulated : [],
      samples: app.samples,
      sandbox: config.exposeSchema,
      dashboard: config.dashboard,
      emulatorControls: app.emulator?.controlsUrl ?? null,
    }),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `media-task-subgraph failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
