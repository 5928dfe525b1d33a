import { readFileSync } from 'node:fs';
import { startBot } from './bootstrap';
import { ConfigError } from './config/config-error';
import { loadConfig } from './config/load-config';
import { createLogger } from './log/logger';

/** How long a signal that came during the start waits for it to finish before the process gives up. */
const START_AFTER_SIGNAL_MS = 5_000;

/** The only reader of process.env: config -> adapters -> app -> start; stops cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const bootLogger = createLogger({ level: process.env['LOG_LEVEL'] ?? 'info' });
  let config;
  try {
    config = loadConfig(process.env, { readFile: (path) => readFileSync(path, 'utf8') });
  } catch (e) {
    if (e instanceof ConfigError) {
      bootLogger.error('invalid configuration; not starting', { code: e.code, problems: e.problems });
      process.exitCode = 1;
      return;
    }
    throw e;
  }
  const logger = createLogger({ level: config.logLevel });
  // Listened for before the start, which can take a while (migrations, Slack, the cloud): as PID 1
  // in a container, a process with no handler ignores SIGTERM, and `docker stop` would wait for
  // its kill. A signal during the start stops the bot as soon as it has started, if that is within
  // START_AFTER_SIGNAL_MS (a start can hang: a socket to Slack that never connects is retried for
  // ever); else the process exits 1 without a clean stop. A second signal changes nothing: a
  // terminal's Ctrl-C reaches the bot twice under `npm start` (from the terminal and from npm).
  let signalled: string | undefined;
  let stop = (): void => undefined;
  let started = false;
  const shutdown = (signal: string): void => {
    if (signalled !== undefined) return;
    signalled = signal;
    logger.info('stopping', { signal });
    if (!started)
      setTimeout(() => {
        if (started) return;
        logger.error('the start did not finish after the signal; exiting without a clean stop', {
          waitedMs: START_AFTER_SIGNAL_MS,
        });
        process.exit(1);
      }, START_AFTER_SIGNAL_MS);
    stop();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const running = await startBot(config, { logger, checkSetup: true });
  started = true;
  stop = () => {
    running
      .stop()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((e: unknown) => {
        logger.error('stop failed', { error: e });
        process.exit(1);
      });
  };
  if (signalled !== undefined) stop();
}

main().catch((e: unknown) => {
  createLogger().error('the bot could not start', { error: e });
  process.exit(1);
});
