import { readFileSync } from 'node:fs';
import { startBot } from './bootstrap';
import { ConfigError } from './config/config-error';
import { loadConfig } from './config/load-config';
import { createLogger } from './log/logger';

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
  // its kill. A signal during the start stops the bot as soon as it has started.
  let signalled: string | undefined;
  let stop = (): void => undefined;
  const shutdown = (signal: string): void => {
    if (signalled !== undefined) return;
    signalled = signal;
    logger.info('stopping', { signal });
    stop();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  const running = await startBot(config, { logger, checkSetup: true });
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
