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
  const running = await startBot(config, { logger, checkSetup: true });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    running
      .stop()
      .then(() => logger.info('stopped'))
      .catch((e: unknown) => logger.error('stop failed', { error: e }))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((e: unknown) => {
  createLogger().error('the bot could not start', { error: e });
  process.exit(1);
});
