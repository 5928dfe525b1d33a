import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBot, StartOptions } from '../bootstrap';
import { startBot } from '../bootstrap';
import { SYSTEM_CLOCK } from '../otc/runtime';
import { loadConfig } from '../config/load-config';
import { isFinal } from '../domain/request-state';
import type { AuditEvent, BackupRequest } from '../domain/backup-request';
import type { Clock } from '../flow/ports';
import type { Logger } from '../log/logger';
import { createMemoryLogger } from '../log/logger';
import type { Sandbox } from '../sandbox';
import { startSandbox } from '../sandbox';
import { SlackDriver } from './slack-driver';
import type { SlackStandIn } from './slack-stand-in/server';
import { startSlackStandIn } from './slack-stand-in/server';
import type { StandInWorkspace } from './slack-stand-in/workspace';
import { DEMO_WORKSPACE } from './slack-stand-in/workspace';
import { waitFor } from './wait';

export const DEMO_PROJECT_ID = '0123456789abcdef0123456789abcdef';
/** The demo config's `approvals.channel`. */
export const APPROVALS_CHANNEL = 'C0APPROVAL';

/** The rules file the demo (and the end-to-end tests) run with. */
export const DEMO_CONFIG_YAML = `
slack:
  allowed_team_ids: [${DEMO_WORKSPACE.teamId}]
cloud:
  region: eu-de
  sandbox: true
projects:
  - { name: prod, id: ${DEMO_PROJECT_ID}, region: eu-de, default: true }
limits:
  max_volumes_per_request: 100
approvals:
  channel: C0APPROVAL
  approvers: { usergroups: [backup-admins] }
  ttl: 4h
  remind_after: 30m
execution:
  # Backups in the sandbox take seconds, not hours: look for each volume's first one soon.
  first_backup: { first_look: 1s }
rules:
  - { name: sre-oncall, usergroups: [sre-oncall], actions: [associate, backup_now], decision: allow }
  - { name: incident-self-service, channels: ["inc-*"], policies: ["daily-*"], max_volumes: 10, decision: allow }
  - { name: others-need-approval, everyone: true, decision: require_approval }
`;

/** Audit kinds of the steps that make a request final; each queues its Slack messages right after it is recorded. */
const CLOSING_STEPS: ReadonlySet<AuditEvent['kind']> = new Set(['finished', 'denied', 'cancelled', 'expired']);

/**
 * Whether the last message the latest step queued is through the outbox (posted or given up).
 * A state is recorded before its messages are queued, so an empty outbox alone does not mean
 * they went out: they may not be queued yet. The messages a final step queues end with (or, for
 * an approval card, just before) the edit of the root message; a new request waiting for
 * approval ends with posting its card. A root message posted or edited after the step was
 * recorded may have covered that edit (flow/outbox.ts: its audit entry counts `coveredEdits`).
 */
export function lastMessageDone(events: readonly AuditEvent[], state: BackupRequest['state']): boolean {
  const last = state === 'pending_approval' ? 'card.post' : 'root.update';
  const from = state === 'pending_approval' ? 0 : events.findLastIndex((e) => CLOSING_STEPS.has(e.kind));
  if (from < 0) return false;
  return events
    .slice(from)
    .some(
      (e) =>
        (e.kind === 'message_posted' || e.kind === 'message_failed') &&
        (e.detail['kind'] === last || (last === 'root.update' && typeof e.detail['coveredEdits'] === 'number')),
    );
}

/**
 * A whole bot on loopback: sandbox cloud, Slack stand-in, a fresh SQLite file, signed requests.
 * With `replicas`, several bots share the sandbox, the stand-in and the database, as replicas
 * behind one Slack app do.
 */
export interface DemoWorld {
  /** The first replica. */
  readonly bot: RunningBot;
  /** Every replica, each with its own store connection (SQLite) or pool (PostgreSQL) and port. */
  readonly bots: readonly RunningBot[];
  readonly sandbox: Sandbox;
  readonly slack: SlackStandIn;
  /** Sends to the first replica. */
  readonly driver: SlackDriver;
  /** One per replica, in the order of `bots`: `drivers[i]` signs requests to `bots[i]`. */
  readonly drivers: readonly SlackDriver[];
  readonly logger: Logger & { readonly lines: string[] };
  readonly workspace: StandInWorkspace;
  /** The bots' clock: the system clock unless the options gave one. */
  readonly clock: Clock;
  /**
   * Waits until the request is final (or, with `finalOrWaiting`, waiting for approval) and every
   * message about it went out.
   */
  settle(requestId: string, timeoutMs?: number, options?: { finalOrWaiting?: boolean }): Promise<BackupRequest>;
  /** The newest request (of anyone), once one exists after `sinceMs`. */
  latestRequest(sinceMs: number): Promise<BackupRequest>;
  stop(): Promise<void>;
}

export interface WorldOptions {
  readonly yaml?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** `postgres://…` or `sqlite:<path>`; default a SQLite file in the world's temp dir. Every replica opens its own connection to it. */
  readonly databaseUrl?: string;
  readonly slackRetries?: number;
  /** The bots' Slack Web API timeout; a test shortens it to make Slack slow. */
  readonly slackTimeoutMs?: number;
  readonly socketUrl?: string;
  /** How many bots to start on the same sandbox, Slack stand-in and database. Default 1. */
  readonly replicas?: number;
  /** Further sandbox projects (the first, prod, is always seeded). */
  readonly extraProjects?: readonly {
    readonly id: string;
    readonly name: string;
    readonly region: string;
    readonly backupService?: 'vbs' | 'cbr';
  }[];
  /** The bots' clock; a test passes one it moves itself to reach deadlines without waiting for them. */
  readonly clock?: Clock;
  /** Over the short loop periods below, e.g. to leave a deadline to a test's own scheduler run. */
  readonly intervals?: StartOptions['intervals'];
  readonly cloudRetry?: StartOptions['cloudRetry'];
  readonly submitBudgetMs?: number;
  readonly stopDrainMs?: number;
}

export async function startDemoWorld(options: WorldOptions = {}): Promise<DemoWorld> {
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1)
    throw new Error(`replicas must be a whole number >= 1, not ${replicas}`);
  const dir = mkdtempSync(join(tmpdir(), 'otc-backup-bot-'));
  const stops: Array<() => Promise<void>> = [
    () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  ];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    const clock = options.clock ?? SYSTEM_CLOCK;
    // The cloud runs on the bots' clock too: a backup job finishes when the bots' time says so.
    const sandbox = await startSandbox({
      projects: [{ id: DEMO_PROJECT_ID, name: 'prod', region: 'eu-de' }, ...(options.extraProjects ?? [])],
      now: () => new Date(clock.now()),
      backupDurationMs: 1_000,
    });
    stops.push(() => sandbox.stop());
    // One clock for the bots and Slack: a message's ts and the bots' times line up, as they do for real.
    const slack = await startSlackStandIn({
      clock: () => clock.now(),
      ...(options.socketUrl !== undefined && { socketUrl: options.socketUrl }),
    });
    stops.push(() => slack.stop());
    const signingSecret = randomBytes(16).toString('hex');
    const logger = createMemoryLogger('debug');
    const config = loadConfig(
      {
        SLACK_BOT_TOKEN: slack.botToken,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_API_URL: slack.apiUrl,
        PORT: '0',
        DATABASE_URL: options.databaseUrl ?? `sqlite:${join(dir, 'requests.db')}`,
        ...options.env,
      },
      { readFile: () => options.yaml ?? DEMO_CONFIG_YAML },
    );
    const bots: RunningBot[] = [];
    // One after the other: the first migrates the database, the others find it up to date.
    for (let i = 0; i < replicas; i += 1) {
      const bot = await startBot(config, {
        logger: replicas === 1 ? logger : logger.child(`replica-${i + 1}`),
        sandbox,
        host: '127.0.0.1',
        clock,
        slackRetries: options.slackRetries ?? 0,
        ...(options.slackTimeoutMs !== undefined && { slackTimeoutMs: options.slackTimeoutMs }),
        intervals: {
          outboxMs: 200,
          resumeMs: 500,
          approvalsMs: 200,
          watchMs: 500,
          outboxBackoffMs: [300, 600, 1200, 2400],
          ...options.intervals,
        },
        ...(options.cloudRetry && { cloudRetry: options.cloudRetry }),
        ...(options.submitBudgetMs !== undefined && { submitBudgetMs: options.submitBudgetMs }),
        ...(options.stopDrainMs !== undefined && { stopDrainMs: options.stopDrainMs }),
        ...(replicas > 1 && { owner: `replica-${i + 1}` }),
      });
      bots.push(bot);
      stops.push(() => bot.stop());
    }
    const drivers = bots.map(
      (b) => new SlackDriver({ botUrl: `http://127.0.0.1:${b.port}`, signingSecret, standIn: slack }),
    );
    const [bot] = bots;
    const [driver] = drivers;
    if (bot === undefined || driver === undefined) throw new Error('the demo world started no bot');
    const teamId = DEMO_WORKSPACE.teamId;
    return {
      bot,
      bots,
      sandbox,
      slack,
      driver,
      drivers,
      logger,
      workspace: DEMO_WORKSPACE,
      clock,
      settle: (requestId, timeoutMs = 10_000, settleOptions = {}) =>
        waitFor(
          `request ${requestId} to finish and its messages to go out`,
          async () => {
            const request = await bot.store.requests.get(requestId as BackupRequest['id']);
            if (request === undefined) return undefined;
            const waiting = settleOptions.finalOrWaiting === true && request.state === 'pending_approval';
            if (!isFinal(request.state) && !waiting) return undefined;
            if ((await bot.store.outbox.listOpen(request.id)).length > 0) return undefined;
            return lastMessageDone(await bot.store.audit.list(request.id), request.state) ? request : undefined;
          },
          timeoutMs,
        ),
      latestRequest: (sinceMs) =>
        waitFor(
          'a request to be recorded',
          async () => (await bot.store.queries.listRequests({ teamId, since: sinceMs, limit: 1 }))[0],
        ),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll().catch(() => undefined);
    throw e;
  }
}

/**
 * An approver approves the latest card in the approvals channel as Slack lets them: the Approve
 * button, then the modal it opens (a new one: an earlier approval's modal is never taken for it),
 * submitted with `comment`. Through `driver`, the world's own unless another replica's is given.
 */
export async function approveLatestCard(
  world: DemoWorld,
  requestId: string,
  options: { readonly userId: string; readonly comment: string; readonly driver?: SlackDriver },
): Promise<void> {
  const driver = options.driver ?? world.driver;
  const card = await waitFor('the approval card', () => world.slack.state.channelMessages(APPROVALS_CHANNEL).at(-1));
  const before = new Set(world.slack.state.views.keys());
  await driver.clickButton({
    userId: options.userId,
    channelId: APPROVALS_CHANNEL,
    messageTs: card.ts,
    actionId: 'approval.approve',
    value: requestId,
  });
  const modal = await waitFor('the approval form', () =>
    [...world.slack.state.views.values()].find(
      (v) => !before.has(v.id) && v.view['callback_id'] === 'approval.approve.modal',
    ),
  );
  await driver.submitView({
    userId: options.userId,
    viewId: modal.id,
    values: { comment: { 'comment.input': { type: 'plain_text_input', value: options.comment } } },
  });
}
