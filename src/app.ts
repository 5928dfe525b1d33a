import type { Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { Config } from './config/load-config';
import type { ApprovalDeps } from './flow/approvals';
import { expireDue, remindDue } from './flow/approvals';
import { RequestExecutor } from './flow/execute-request';
import { Outbox } from './flow/outbox';
import type { Clock, NewRequestId } from './flow/ports';
import type { Scheduler } from './flow/scheduler';
import { startScheduler } from './flow/scheduler';
import type { Logger } from './log/logger';
import type { CloudReads } from './flow/check-request';
import type { BackupBackend } from './otc/types';
import type { RequestStore } from './store/request-store';
import { errorCode, userSafeSentence } from './slack/error-reply';
import { close, createBotHttpServer, listen } from './slack/http-server';
import { registerApprovalActions } from './slack/listeners/approval-actions';
import { registerBackupCommand } from './slack/listeners/backup-command';
import type { FormDeps } from './slack/listeners/request-form';
import { registerRequestForm } from './slack/listeners/request-form';
import { registerAppHome } from './slack/listeners/app-home';
import { CloudCache } from './flow/cloud-cache';
import { SlackMessageDeliverer } from './slack/message-deliverer';
import { SlackPeopleDirectory } from './slack/people-directory';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: RequestStore;
  readonly cloud: BackupBackend & CloudReads;
  readonly clock: Clock;
  readonly newRequestId: NewRequestId;
  /** This replica's name, recorded as the runner of the requests it executes. */
  readonly owner: string;
  /** Retries of the Slack Web API client (tests set 0; the outbox retries what must arrive). */
  readonly slackRetries?: number;
  /** Background loop periods; tests shorten them. */
  readonly intervals?: {
    readonly outboxMs?: number;
    readonly resumeMs?: number;
    readonly approvalsMs?: number;
    readonly outboxBackoffMs?: readonly number[];
  };
  /** Host to bind (default all interfaces; tests use 127.0.0.1). */
  readonly host?: string;
  /** How long a form submit may take before Slack is answered "checking" (default SUBMIT_BUDGET_MS). */
  readonly submitBudgetMs?: number;
}

export interface Bot {
  readonly app: App;
  readonly mode: 'http' | 'socket';
  /** Starts listening (and connects in Socket Mode); resolves with the bound port. */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  readonly scheduler: () => Scheduler | undefined;
}

/** Wiring only: Bolt app, receiver, listeners, the error handler and the background loops. */
export function createApp(deps: AppDeps): Bot {
  const { config, logger, store, clock } = deps;
  const mode = config.slack.mode;
  const receiver =
    mode === 'socket'
      ? new SocketModeReceiver({
          appToken: config.slack.appToken!,
          logger,
          installerOptions: { clientOptions: { ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }) } },
        })
      : new HTTPReceiver({ signingSecret: config.slack.signingSecret!, endpoints: '/slack/events', logger });
  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger,
    deferInitialization: true,
    extendedErrorHandler: true,
    clientOptions: {
      ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }),
      // Bounded: a call gives up within about half a minute, well inside the outbox's claim, and
      // the outbox retries what must arrive. A 429 is not waited out here (that would hold every
      // other call, modals included, behind it): it fails at once and the outbox honours Retry-After.
      retryConfig: { retries: deps.slackRetries ?? 2, factor: 2, minTimeout: 1000, maxTimeout: 5000 },
      timeout: 10_000,
      rejectRateLimitedCalls: true,
    },
  });

  const people = new SlackPeopleDirectory(app.client, clock, logger.child('directory'));
  const outbox = new Outbox(
    store,
    new SlackMessageDeliverer(app.client, config.approvals?.channel),
    clock,
    logger.child('outbox'),
    {
      owner: deps.owner,
      ...(deps.intervals?.outboxBackoffMs && { backoffMs: deps.intervals.outboxBackoffMs }),
    },
  );
  const executor = new RequestExecutor({
    store,
    backend: deps.cloud,
    outbox,
    clock,
    logger: logger.child('executor'),
    owner: deps.owner,
    associate: { chunkSize: config.cloud.chunkSize, concurrency: config.cloud.concurrency },
    leaseMs: config.execution.runLeaseMs,
  });
  const approvals: ApprovalDeps = { store, people, outbox, executor, clock, logger: logger.child('approvals') };
  const submit = { config, cloud: deps.cloud, people, store, clock, newRequestId: deps.newRequestId };
  const form: FormDeps = {
    submit,
    cache: new CloudCache(deps.cloud, clock),
    config,
    outbox,
    executor,
    logger: logger.child('form'),
    ...(deps.submitBudgetMs !== undefined && { submitBudgetMs: deps.submitBudgetMs }),
  };
  registerBackupCommand(app, {
    submit,
    maxVolumes: config.limits.maxVolumesPerRequest,
    outbox,
    executor,
    logger: logger.child('command'),
    history: { store, people, clock, approvers: config.approvals?.approvers },
    form,
  });
  registerApprovalActions(app, approvals);
  registerRequestForm(app, form);
  registerAppHome(app, { store, people, clock }, form);

  const onError = async ({ error, body }: { error: Error; body: unknown }): Promise<void> => {
    logger.error('request failed', {
      code: errorCode(error),
      error: (error as { original?: unknown }).original ?? error,
    });
    const responseUrl = (body as { response_url?: unknown } | undefined)?.response_url;
    if (typeof responseUrl !== 'string') return;
    const text = userSafeSentence(error);
    await fetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
    }).catch((e: unknown) => logger.warn('could not tell the user about the failure', { error: e }));
  };
  // extendedErrorHandler: true makes Bolt pass { error, body, context, logger }.
  app.error(onError as unknown as (error: Error) => Promise<void>);

  let server: Server | undefined;
  let scheduler: Scheduler | undefined;

  return {
    app,
    mode,
    scheduler: () => scheduler,
    async start() {
      await app.init();
      server = createBotHttpServer({
        clock,
        slackListener: receiver instanceof HTTPReceiver ? receiver.requestListener : undefined,
        health: async () => {
          try {
            await store.ping();
            return { ok: true, body: { status: 'ok', mode } };
          } catch {
            return { ok: false, body: { status: 'degraded', mode, store: 'unavailable' } };
          }
        },
      });
      const port = await listen(server, config.slack.port, deps.host);
      if (receiver instanceof SocketModeReceiver) await app.start();
      scheduler = startScheduler(
        [
          { name: 'outbox', everyMs: deps.intervals?.outboxMs ?? 5_000, run: () => outbox.drain() },
          { name: 'resume', everyMs: deps.intervals?.resumeMs ?? 30_000, run: () => executor.resumeStale() },
          {
            name: 'start-interrupted',
            everyMs: deps.intervals?.resumeMs ?? 30_000,
            run: () => executor.startInterrupted(),
          },
          { name: 'expire', everyMs: deps.intervals?.approvalsMs ?? 15_000, run: () => expireDue(approvals) },
          { name: 'remind', everyMs: deps.intervals?.approvalsMs ?? 15_000, run: () => remindDue(approvals) },
          { name: 'drafts', everyMs: 3_600_000, run: () => store.drafts.deleteExpired(clock.now()) },
        ],
        logger.child('scheduler'),
      );
      void scheduler.runAll();
      logger.info(`backup bot running in ${mode === 'socket' ? 'Socket Mode' : 'HTTP mode'}`, {
        mode,
        port,
        ...(mode === 'http' && { events: '/slack/events' }),
        health: '/healthz',
      });
      return { port };
    },
    async stop() {
      await scheduler?.stop();
      // receiver.stop() only starts the close handshake; the client's disconnect() resolves once the
      // socket is closed, so no timer of the handshake outlives the bot.
      if (receiver instanceof SocketModeReceiver) await receiver.client.disconnect().catch(() => undefined);
      if (server) await close(server);
    },
  };
}
