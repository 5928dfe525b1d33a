import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBot } from '../bootstrap';
import { startBot } from '../bootstrap';
import { loadConfig } from '../config/load-config';
import { isFinal } from '../domain/request-state';
import type { BackupRequest } from '../domain/backup-request';
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
rules:
  - { name: sre-oncall, usergroups: [sre-oncall], decision: allow }
  - { name: incident-self-service, channels: ["inc-*"], policies: ["daily-*"], max_volumes: 10, decision: allow }
  - { name: others-need-approval, everyone: true, decision: require_approval }
`;

/** A whole bot on loopback: sandbox cloud, Slack stand-in, a fresh SQLite file, signed requests. */
export interface DemoWorld {
  readonly bot: RunningBot;
  readonly sandbox: Sandbox;
  readonly slack: SlackStandIn;
  readonly driver: SlackDriver;
  readonly logger: Logger & { readonly lines: string[] };
  readonly workspace: StandInWorkspace;
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
  readonly databaseUrl?: string;
  readonly slackRetries?: number;
  readonly socketUrl?: string;
}

export async function startDemoWorld(options: WorldOptions = {}): Promise<DemoWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'otc-backup-bot-'));
  const sandbox = await startSandbox({ projects: [{ id: DEMO_PROJECT_ID, name: 'prod', region: 'eu-de' }] });
  const slack = await startSlackStandIn(options.socketUrl === undefined ? {} : { socketUrl: options.socketUrl });
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
  const bot = await startBot(config, {
    logger,
    sandbox,
    host: '127.0.0.1',
    slackRetries: options.slackRetries ?? 0,
    intervals: { outboxMs: 200, resumeMs: 500, approvalsMs: 200, outboxBackoffMs: [300, 600, 1200, 2400] },
  });
  const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${bot.port}`, signingSecret, standIn: slack });
  const teamId = DEMO_WORKSPACE.teamId;
  return {
    bot,
    sandbox,
    slack,
    driver,
    logger,
    workspace: DEMO_WORKSPACE,
    settle: (requestId, timeoutMs = 10_000, settleOptions = {}) =>
      waitFor(
        `request ${requestId} to finish and its messages to go out`,
        async () => {
          const request = await bot.store.get(requestId as BackupRequest['id']);
          if (request === undefined) return undefined;
          const waiting = settleOptions.finalOrWaiting === true && request.state === 'pending_approval';
          if (!isFinal(request.state) && !waiting) return undefined;
          return (await bot.store.listOpenMessages(request.id)).length === 0 ? request : undefined;
        },
        timeoutMs,
      ),
    latestRequest: (sinceMs) =>
      waitFor(
        'a request to be recorded',
        async () => (await bot.store.listRequests({ teamId, since: sinceMs, limit: 1 }))[0],
      ),
    async stop() {
      await bot.stop();
      await slack.stop();
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
