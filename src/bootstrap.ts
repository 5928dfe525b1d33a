import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Dispatcher } from 'undici';
import type { AppDeps, Bot } from './app';
import { createApp } from './app';
import type { Config } from './config/load-config';
import { formatRequestId } from './domain/ids';
import type { Clock } from './flow/ports';
import type { Logger } from './log/logger';
import { createOtcClient } from './otc/client';
import type { OtcClient } from './otc/client';
import { createOtcDispatcher } from './otc/dispatcher';
import type { RetryPolicy } from './otc/retry-policy';
import type { Sandbox } from './sandbox';
import { startSandbox } from './sandbox';
import { openStore } from './store/open-store';
import type { RequestStore } from './store/request-store';

export interface RunningBot {
  readonly bot: Bot;
  readonly port: number;
  readonly store: RequestStore;
  readonly cloud: OtcClient;
  /** Present when `cloud.sandbox` is true: the built-in emulator the bot talks to. */
  readonly sandbox: Sandbox | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Overrides for tests and the demo; production uses the defaults. */
  readonly store?: RequestStore;
  readonly sandbox?: Sandbox;
  readonly slackRetries?: number;
  readonly intervals?: AppDeps['intervals'];
  readonly host?: string;
  readonly owner?: string;
  /** Over the cloud client's retry policy; tests shorten the backoff instead of waiting it out. */
  readonly cloudRetry?: Partial<RetryPolicy>;
  /** How long a form submit may take before Slack is answered "checking"; default 2 s. */
  readonly submitBudgetMs?: number;
}

export const SYSTEM_CLOCK: Clock = { now: () => Date.now() };

/** Builds the adapters from the config (store, cloud client or sandbox), then the app, and starts it. */
export async function startBot(config: Config, options: StartOptions): Promise<RunningBot> {
  const { logger } = options;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const cleanups: Array<() => Promise<void>> = [];
  try {
    let sandbox = options.sandbox;
    if (config.cloud.sandbox && sandbox === undefined) {
      sandbox = await startSandbox({
        projects: config.projects.map((p) => ({ id: p.id, name: p.name, region: p.region })),
      });
      const started = sandbox;
      cleanups.push(() => started.stop());
    }
    if (config.cloud.sandbox)
      logger.warn('SANDBOX MODE: the bot talks to its built-in OTC emulator, not to a real cloud', {
        url: sandbox?.url,
      });

    const dispatcher: Dispatcher = createOtcDispatcher({
      connectTimeoutMs: config.cloud.connectTimeoutMs,
      proxy: config.cloud.proxy,
    });
    cleanups.push(() => dispatcher.close());
    const cloud = createOtcClient({
      credentials: sandbox
        ? {
            kind: 'password',
            username: sandbox.credentials.username,
            password: sandbox.credentials.password,
            domainName: sandbox.credentials.domainName,
          }
        : config.cloud.credentials!,
      authUrl: sandbox ? `${sandbox.url}/v3` : config.cloud.authUrl,
      endpoints: sandbox ? { vbs: sandbox.url, evs: sandbox.url, ecs: sandbox.url } : config.cloud.endpoints,
      dispatcher,
      timeouts: { responseMs: config.cloud.responseTimeoutMs },
      associate: { chunkSize: config.cloud.chunkSize, concurrency: config.cloud.concurrency },
      retry: options.cloudRetry,
      logger: logger.child('otc'),
    });

    let store = options.store;
    if (store === undefined) {
      store = await openStore({ databaseUrl: config.databaseUrl, logger: logger.child('store') });
      const opened = store;
      cleanups.push(() => opened.close());
    }

    const bot = createApp({
      config,
      logger,
      store,
      cloud,
      clock,
      newRequestId: () => formatRequestId(randomBytes(8)),
      owner: options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
      ...(options.slackRetries !== undefined && { slackRetries: options.slackRetries }),
      ...(options.intervals && { intervals: options.intervals }),
      ...(options.host !== undefined && { host: options.host }),
      ...(options.submitBudgetMs !== undefined && { submitBudgetMs: options.submitBudgetMs }),
    });
    const { port } = await bot.start();
    cleanups.push(() => bot.stop());
    const stop = async () => {
      for (const cleanup of cleanups.reverse())
        await cleanup().catch((e: unknown) => logger.warn('shutdown step failed', { error: e }));
      cleanups.length = 0;
    };
    return { bot, port, store, cloud, sandbox, stop };
  } catch (e) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw e;
  }
}
