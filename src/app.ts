import type { Server } from 'node:http';
import type { Dispatcher } from 'undici';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import type { AnyMiddlewareArgs, CodedError } from '@slack/bolt';
import type { Config } from './config/load-config';
import { createFlowDeps } from './flow/create-flow-deps';
import { beforeDeadline } from './flow/deadline';
import type { FlowDeps } from './flow/flow-deps';
import type { BackupBackend, BackupRuns, Clock, CloudReads, NewRequestId, RequestStore } from './flow/ports';
import type { Intervals, Scheduler } from './flow/scheduler';
import { backgroundTasks, startScheduler } from './flow/scheduler';
import type { WorkTurns } from './flow/work-turns';
import type { Logger } from './log/logger';
import { withRequestId } from './log/logger';
import { requestIdIn } from './slack/payload';
import { BotMetrics } from './metrics/bot-metrics';
import { timeSocketAcks } from './metrics/socket-acks';
import { errorCode, originalError, userSafeSentence } from './slack/error-reply';
import { createReadinessCheck, watchSocket } from './slack/health';
import { createBotHttpServer, listen, stopListening } from './slack/http-server';
import { registerAppHome } from './slack/listeners/app-home';
import { registerApprovalActions } from './slack/listeners/approval-actions';
import { registerUndoAction } from './slack/listeners/undo-action';
import { registerRouted } from './slack/listeners/listener-router';
import { BACKUP_COMMAND, registerBackupCommand } from './slack/listeners/backup-command';
import { registerProtectStep } from './slack/listeners/protect-step';
import { SUBMIT_BUDGET_MS } from './slack/listeners/form-submit';
import { registerRequestForm } from './slack/listeners/request-form';
import { SlackMessageDeliverer } from './slack/message-deliverer';
import { SlackPeopleDirectory } from './slack/people-directory';
import { forgetExpiredReplays } from './slack/replay-guard';
import { markMessageArguments } from './slack/blocks/sandbox-mark';
import { createChatPoster } from './slack/chat-poster';
import { createSlackFetch } from './slack/slack-fetch';
import { authTestProblem, isWebApiCallError } from './slack/slack-errors';
import { tokenTeamOf } from './slack/token-team';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: RequestStore;
  readonly cloud: BackupBackend & BackupRuns & CloudReads;
  readonly clock: Clock;
  readonly newRequestId: NewRequestId;
  /** This replica's name, recorded as the runner of the requests it executes. */
  readonly owner: string;
  /** Retries of the Slack Web API client (tests set 0; the outbox retries what must arrive). */
  readonly slackRetries?: number;
  /** How long a Slack Web API call may take (default 10 s); tests shorten it to make a slow Slack. */
  readonly slackTimeoutMs?: number;
  /**
   * Background loop periods, the outbox's waits between attempts and Socket Mode's pong timeout
   * (which also spaces its reconnects; default 5 s); tests shorten them.
   */
  readonly intervals?: Intervals & {
    readonly outboxBackoffMs?: readonly number[];
    readonly socketPingTimeoutMs?: number;
    /** How long after an ack the paced work still goes one step a turn (WorkTurnsOptions.quietMs). */
    readonly answeringQuietMs?: number;
  };
  /** Host to bind (default all interfaces; tests use 127.0.0.1). */
  readonly host?: string;
  /** How long a form submit may take before Slack is answered "checking" (default SUBMIT_BUDGET_MS). */
  readonly submitBudgetMs?: number;
  /** How long a stop waits for the work under way (default STOP_DRAIN_MS). */
  readonly stopDrainMs?: number;
  /** This bot's metrics (one registry per bot); bootstrap passes the one its cloud client reports to. */
  readonly metrics?: BotMetrics;
  /** The configured proxy, for every Slack connection (the Web API, response URLs, Socket Mode). */
  readonly slackDispatcher?: Dispatcher;
}

export interface Bot {
  readonly app: App;
  readonly mode: 'http' | 'socket';
  readonly metrics: BotMetrics;
  /** Starts listening (and connects in Socket Mode); resolves with the bound port. */
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
  readonly scheduler: () => Scheduler | undefined;
  /** Resolves once the work started after answering people (deliveries, runs) has ended. */
  idle(): Promise<void>;
  /** How the work after answers is paced now (flow/work-turns.ts): told of every ack, HTTP or Socket Mode. */
  readonly pacing: Pick<WorkTurns, 'answering' | 'waiting'>;
}

const SLACK_TIMEOUT_MS = 10_000;

/** How long a stop waits for runs and deliveries under way; what is left, a restart or another replica finishes. */
const STOP_DRAIN_MS = 10_000;
/** After that, how long a stop waits for the work still under way to be given back. */
const STOP_HAND_OVER_MS = 1_000;
/** Slack's wait for an envelope's ack: a stop in Socket Mode waits as long for the acks under way. */
const SOCKET_ACK_WAIT_MS = 3_000;
/** How long a stop in Socket Mode waits for the socket's close handshake. */
const SOCKET_CLOSE_WAIT_MS = 2_000;

/** Wiring only: Bolt app, receiver, listeners, the error handler and the background loops. */
export function createApp(deps: AppDeps): Bot {
  const { config, logger, store, clock } = deps;
  const mode = config.slack.mode;
  const metrics = deps.metrics ?? new BotMetrics({ store, clock });
  const slackFetch = createSlackFetch({
    clock,
    logger: logger.child('slack'),
    dispatcher: deps.slackDispatcher,
    onCall: (call) => metrics.slackCalled(call),
  });
  const receiver =
    mode === 'socket'
      ? new SocketModeReceiver({
          appToken: config.slack.appToken,
          logger,
          ...(deps.slackDispatcher && { dispatcher: deps.slackDispatcher }),
          ...(deps.intervals?.socketPingTimeoutMs !== undefined && {
            clientPingTimeout: deps.intervals.socketPingTimeoutMs,
          }),
          installerOptions: {
            clientOptions: { fetch: slackFetch, ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }) },
          },
        })
      : new HTTPReceiver({ signingSecret: config.slack.signingSecret, endpoints: '/slack/events', logger });
  const timeout = deps.slackTimeoutMs ?? SLACK_TIMEOUT_MS;
  const app = new App({
    token: config.slack.botToken,
    receiver,
    logger,
    // Without it Bolt sets the bot's logger to info (its default), and LOG_LEVEL=debug would lose the
    // debug lines of everything that logs through it after this.
    logLevel: logger.getLevel(),
    deferInitialization: true,
    extendedErrorHandler: true,
    // No listener reads `context.conversation`: Bolt's default in-memory conversation store would
    // only cost a look-up per request.
    convoStore: false,
    clientOptions: {
      fetch: slackFetch,
      ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }),
      // For reads and views (repeating them is harmless). Bounded: a call gives up within about half a
      // minute. A 429 is not waited out here (that would hold every other call, modals included,
      // behind it): it fails at once.
      retryConfig: { retries: deps.slackRetries ?? 2, factor: 2, minTimeout: 1000, maxTimeout: 5000 },
      timeout,
      rejectRateLimitedCalls: true,
    },
  });
  // For the messages the outbox owes: never retried by the client, because a post that timed out
  // may have been made. The outbox retries, and the deliverer looks for the post before it posts again.
  // Posts and edits go through the chat poster (the same calls, without the WebClient's per-call
  // overhead), which marks a sandbox bot's messages; the WebClient makes the outbox's other calls
  // (look-ups, uploads, workflow steps), which carry no message to mark.
  const deliveryClient = new WebClient(config.slack.botToken, {
    fetch: slackFetch,
    ...(config.slack.apiUrl && { slackApiUrl: config.slack.apiUrl }),
    retryConfig: { retries: 0 },
    timeout,
    rejectRateLimitedCalls: true,
    logger,
  });

  const flows: FlowDeps = createFlowDeps({
    config,
    store,
    cloud: deps.cloud,
    people: new SlackPeopleDirectory(app.client, clock, logger.child('directory')),
    deliverer: new SlackMessageDeliverer(
      deliveryClient,
      config.approvals?.channel,
      createChatPoster({
        token: config.slack.botToken,
        apiUrl: config.slack.apiUrl,
        fetch: slackFetch,
        timeoutMs: timeout,
        logger,
        prepare: config.cloud.auth.kind === 'sandbox' ? markMessageArguments : undefined,
      }),
    ),
    clock,
    newRequestId: deps.newRequestId,
    owner: deps.owner,
    logger,
    ...(deps.intervals?.outboxBackoffMs && { outboxBackoffMs: deps.intervals.outboxBackoffMs }),
    ...(deps.intervals?.answeringQuietMs !== undefined && { turns: { quietMs: deps.intervals.answeringQuietMs } }),
    metrics,
  });
  // Each ack is timed, and tells the paced work that Slack's requests are arriving (flow/work-turns.ts).
  const acked = (ms: number): void => {
    metrics.acked(ms);
    flows.afterAnswer.turns.answered();
  };
  const socketAcks = receiver instanceof SocketModeReceiver ? timeSocketAcks(app, clock, acked) : undefined;
  // Each listener's run is work under way, after its ack too (a decision being recorded, a
  // command's request being checked): a stop waits for it, within its deadline, as for runs.
  app.use(async ({ next }) => {
    await flows.work.track(next());
  });
  registerRouted(app, (listeners) => {
    registerBackupCommand(listeners, flows);
    registerApprovalActions(listeners, flows);
    registerUndoAction(listeners, flows);
    registerRequestForm(listeners, flows, { submitBudgetMs: deps.submitBudgetMs ?? SUBMIT_BUDGET_MS });
    registerAppHome(listeners, flows);
    registerProtectStep(listeners, flows);
  });

  /** A listener's failure: logged, and told to the person when the payload has a response_url. */
  const tellFailure = async (error: CodedError, body: AnyMiddlewareArgs['body']): Promise<void> => {
    logger.error('request failed', { code: errorCode(error), error: originalError(error) });
    // Only commands and interactions carry a response_url; an event's failure is logged and that is all.
    const responseUrl = 'response_url' in body && typeof body.response_url === 'string' ? body.response_url : undefined;
    if (responseUrl === undefined) return;
    const text = userSafeSentence(error);
    await slackFetch(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
    }).catch((e: unknown) => logger.warn('could not tell the user about the failure', { error: e }));
  };
  // extendedErrorHandler: true makes Bolt pass { error, body, context, logger } (ExtendedErrorHandlerArgs, which
  // Bolt does not export); the annotation picks that overload of app.error.
  app.error(async ({ error, body }: { error: CodedError; body: AnyMiddlewareArgs['body'] }) =>
    // A click's or a modal's failure is its request's: its lines say which (Bolt calls this outside
    // the listener's own request context).
    withRequestId(requestIdIn(body), () => tellFailure(error, body)),
  );

  let server: Server | undefined;
  let scheduler: Scheduler | undefined;

  return {
    app,
    mode,
    metrics,
    scheduler: () => scheduler,
    idle: () => flows.work.idle(),
    pacing: flows.afterAnswer.turns,
    async start() {
      // Both ask Slack's auth.test: a failure says which call failed, why, and what to do, in one
      // sentence (the client alone says "A request error occurred: fetch failed").
      const namingAuthTest = (e: unknown): never => {
        throw isWebApiCallError(e) ? new Error(authTestProblem(e), { cause: e }) : e;
      };
      await app.init().catch(namingAuthTest);
      const socket = receiver instanceof SocketModeReceiver ? watchSocket(receiver.client) : undefined;
      // Without slack.allowed_team_ids the bot serves its token's workspace only; until this, none.
      await flows.workspaces.learnTokenTeam(() => tokenTeamOf(app.client)).catch(namingAuthTest);
      server = createBotHttpServer({
        clock,
        logger,
        slack:
          receiver instanceof HTTPReceiver && config.slack.mode === 'http'
            ? {
                listener: receiver.requestListener,
                signingSecret: config.slack.signingSecret,
                replays: store.replays,
                // Its listener acks first, with nothing (slack/listeners/backup-command.ts).
                answersAtOnce: [BACKUP_COMMAND],
              }
            : undefined,
        ready: createReadinessCheck({ mode, store, ...(socket && { socketConnected: socket }) }),
        metrics: () => metrics.exposition(),
        onAck: acked,
      });
      const port = await listen(server, config.slack.port, deps.host);
      if (receiver instanceof SocketModeReceiver) await app.start();
      const tasks = [...backgroundTasks(flows, deps.intervals), forgetExpiredReplays(store.replays, clock)];
      scheduler = startScheduler(tasks, logger.child('scheduler'));
      void scheduler.runAll();
      logger.info(`backup bot running in ${mode === 'socket' ? 'Socket Mode' : 'HTTP mode'}`, {
        mode,
        port,
        ...(mode === 'http' && { events: '/slack/events' }),
        health: '/healthz',
        ready: '/readyz',
        metrics: '/metrics',
      });
      return { port };
    },
    async stop() {
      // No new work: the loops stop taking work, Slack's requests and events stop arriving.
      flows.executor.stopTakingOver();
      const loopsStopped = scheduler?.stop();
      if (receiver instanceof SocketModeReceiver) {
        // An ack goes back over the socket: the envelopes under way are acked before it closes (a
        // form's submit acks after its check), for no longer than Slack waits for an ack.
        await beforeDeadline(SOCKET_ACK_WAIT_MS, socketAcks?.settled() ?? Promise.resolve());
        // receiver.stop() only starts the close handshake; the client's disconnect() resolves once
        // the socket is closed, so no timer of the handshake outlives the bot. A peer (or proxy)
        // that never answers the close would hold it 30 s: the stop goes on without it.
        await beforeDeadline(
          SOCKET_CLOSE_WAIT_MS,
          receiver.client.disconnect().catch(() => undefined),
        );
      }
      const closing = server === undefined ? Promise.resolve() : stopListening(server);
      // The work under way (deliveries, runs, a loop's pass) is finished, for a while.
      const underWay = async () => {
        await Promise.all([loopsStopped, flows.work.idle()]);
      };
      // Slack's requests under way are answered too, each connection then closed (a request that
      // comes on one meanwhile is refused): `closing` resolves once the last one is.
      await beforeDeadline(deps.stopDrainMs ?? STOP_DRAIN_MS, Promise.all([underWay(), closing]));
      // Then what is left is given back, so that the next start or another replica takes it at once:
      // a run still under way (it sends no more calls), a message claimed but not yet sent. A post
      // still under way keeps its claim until it runs out.
      flows.outbox.handOver();
      flows.executor.handOver();
      await beforeDeadline(STOP_HAND_OVER_MS, underWay());
      server?.closeAllConnections();
      await closing;
    },
  };
}
