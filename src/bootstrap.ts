import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Dispatcher } from 'undici';
import type { AppDeps, Bot } from './app';
import { createApp } from './app';
import { runChecks } from './check/run-checks';
import type { CloudCredentials, Config } from './config/load-config';
import { formatRequestId } from './domain/ids';
import { doneWithin } from './flow/deadline';
import type { Clock } from './flow/ports';
import { SYSTEM_CLOCK } from './otc/runtime';
import type { Logger } from './log/logger';
import { createOtcClient } from './otc/client';
import type { OtcClient } from './otc/client';
import { createOtcDispatcher } from './otc/dispatcher';
import { BotMetrics } from './metrics/bot-metrics';
import { createProxyDispatcher } from './net/proxy-dispatcher';
import type { RetryPolicy } from './otc/retry-policy';
import type { Sandbox } from './sandbox';
import { openStore } from './store/open-store';
import type { RequestStore } from './store/request-store';

export interface RunningBot {
  readonly bot: Bot;
  readonly port: number;
  readonly store: RequestStore;
  readonly cloud: OtcClient;
  /** Present in sandbox mode (`cloud.auth.kind === 'sandbox'`): the built-in emulator the bot talks to. */
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
  readonly slackTimeoutMs?: number;
  readonly intervals?: AppDeps['intervals'];
  readonly host?: string;
  readonly owner?: string;
  /** Over the cloud client's retry policy; tests shorten the backoff instead of waiting it out. */
  readonly cloudRetry?: Partial<RetryPolicy>;
  /** How long a form submit may take before Slack is answered "checking"; default 2 s. */
  readonly submitBudgetMs?: number;
  /** How long a stop waits for the work under way (the app's default otherwise); tests shorten it. */
  readonly stopDrainMs?: number;
  /** Run the set-up self-check (`npm run check`) after start, logging each problem as a warning. */
  readonly checkSetup?: boolean;
}

/** How long a stop waits for the store to close its connections. */
export const STORE_CLOSE_MS = 3_000;

/**
 * The stop's step that closes the store the bot opened. A pool waits for every connection it lent
 * out (a statement held by a lock, a read /metrics gave up on): the stop does not, and fails.
 */
export function closeStoreStep(store: Pick<RequestStore, 'close'>, ms = STORE_CLOSE_MS): () => Promise<void> {
  return () => doneWithin(ms, 'closing the store', store.close());
}

/**
 * Ends a dispatcher's connections and cuts its calls still under way. Called once the bot has
 * stopped: its work was drained or handed over (a run handed over sends no more calls), and a call
 * left could take up to the cloud's response timeout (30 s by default), past a container's stop
 * grace period. Not close(): it waits for every call's answer, and once it has begun undici's
 * destroy() no longer cuts them.
 */
export async function cutCalls(dispatcher: Pick<Dispatcher, 'destroy'>): Promise<void> {
  await dispatcher.destroy();
}

/**
 * Runs a stop's steps, the last one started first, every one of them even when one before failed.
 * Rejects once all have run if any failed (naming how many), so that the process can say so in its
 * exit code.
 */
export async function runStopSteps(steps: Array<() => Promise<void>>, logger: Pick<Logger, 'warn'>): Promise<void> {
  const failed: unknown[] = [];
  for (const step of steps.splice(0).reverse()) {
    try {
      await step();
    } catch (e) {
      failed.push(e);
      logger.warn('shutdown step failed', { error: e });
    }
  }
  if (failed.length > 0) throw new Error(`${failed.length} shutdown step(s) failed`, { cause: failed[0] });
}

/**
 * The cloud the bot talks to: the caller's sandbox (tests, the demo), else in sandbox mode one of
 * its own (stopped with the bot), else the real cloud with the configured credentials.
 */
async function reachCloud(
  config: Config,
  given: Sandbox | undefined,
  cleanups: Array<() => Promise<void>>,
): Promise<{ readonly sandbox: Sandbox } | { readonly sandbox: undefined; readonly credentials: CloudCredentials }> {
  if (given !== undefined) return { sandbox: given };
  const auth = config.cloud.auth;
  if (auth.kind !== 'sandbox') return { sandbox: undefined, credentials: auth };
  // Loaded only in sandbox mode: a bot on the real cloud does not carry the emulator (36 modules) in memory.
  const { startSandbox } = await import('./sandbox');
  const started = await startSandbox({
    projects: config.projects.map((p) => ({ id: p.id, name: p.name, region: p.region, backupService: p.service })),
  });
  cleanups.push(() => started.stop());
  return { sandbox: started };
}

/** Builds the adapters from the config (store, cloud client or sandbox), then the app, and starts it. */
export async function startBot(config: Config, options: StartOptions): Promise<RunningBot> {
  const { logger } = options;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const target = await reachCloud(config, options.sandbox, cleanups);
    const sandbox = target.sandbox;
    if (config.cloud.auth.kind === 'sandbox')
      logger.warn('SANDBOX MODE: the bot talks to its built-in OTC emulator, not to a real cloud', {
        url: sandbox?.url,
      });

    let store = options.store;
    if (store === undefined) {
      store = await openStore({ databaseUrl: config.databaseUrl, logger: logger.child('store') });
      const opened = store;
      cleanups.push(closeStoreStep(opened));
    }
    const metrics = new BotMetrics({ store, clock });

    const dispatcher: Dispatcher = createOtcDispatcher({
      connectTimeoutMs: config.cloud.connectTimeoutMs,
      proxy: config.proxy,
    });
    cleanups.push(() => cutCalls(dispatcher));
    const slackDispatcher = createProxyDispatcher(config.proxy);
    if (slackDispatcher !== undefined) cleanups.push(() => cutCalls(slackDispatcher));
    const cloud = createOtcClient({
      credentials: sandbox
        ? {
            kind: 'password',
            username: sandbox.credentials.username,
            password: sandbox.credentials.password,
            domainName: sandbox.credentials.domainName,
          }
        : target.credentials,
      authUrl: sandbox ? `${sandbox.url}/v3` : config.cloud.authUrl,
      endpoints: sandbox
        ? { vbs: sandbox.url, cbr: sandbox.url, evs: sandbox.url, ecs: sandbox.url }
        : config.cloud.endpoints,
      dispatcher,
      timeouts: { responseMs: config.cloud.responseTimeoutMs },
      associate: { chunkSize: config.cloud.chunkSize, concurrency: config.cloud.concurrency },
      retry: options.cloudRetry,
      logger: logger.child('otc'),
      onCall: (call) => metrics.cloudCalled(call),
    });

    const bot = createApp({
      config,
      logger,
      store,
      cloud,
      clock,
      newRequestId: () => formatRequestId(randomBytes(8)),
      owner: options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
      ...(options.slackRetries !== undefined && { slackRetries: options.slackRetries }),
      ...(options.slackTimeoutMs !== undefined && { slackTimeoutMs: options.slackTimeoutMs }),
      ...(options.intervals && { intervals: options.intervals }),
      ...(options.host !== undefined && { host: options.host }),
      ...(options.submitBudgetMs !== undefined && { submitBudgetMs: options.submitBudgetMs }),
      ...(options.stopDrainMs !== undefined && { stopDrainMs: options.stopDrainMs }),
      metrics,
      ...(slackDispatcher && { slackDispatcher }),
    });
    const { port } = await bot.start();
    cleanups.push(() => bot.stop());
    // Not awaited: a wrong set-up is said at start, in the log, without holding the bot back.
    if (options.checkSetup === true)
      runChecks({ config, web: bot.app.client, cloud: sandbox ? undefined : cloud }).then(
        (report) => report.problems.forEach((problem) => logger.warn(`set-up: ${problem}`)),
        (e: unknown) => logger.warn('the set-up self-check could not run', { error: e }),
      );
    const stop = () => runStopSteps(cleanups, logger);
    return { bot, port, store, cloud, sandbox, stop };
  } catch (e) {
    await runStopSteps(cleanups, logger).catch(() => undefined);
    throw e;
  }
}
