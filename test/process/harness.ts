import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { lastMessageDone } from '../../src/demo/demo-world';
import { renderBlocks } from '../../src/demo/render-text';
import { SlackDriver } from '../../src/demo/slack-driver';
import type { SlackStandIn } from '../../src/demo/slack-stand-in/server';
import { startSlackStandIn } from '../../src/demo/slack-stand-in/server';
import type { StandInMessage } from '../../src/demo/slack-stand-in/state';
import { DEMO_WORKSPACE } from '../../src/demo/slack-stand-in/workspace';
import { waitFor } from '../../src/demo/wait';
import type { BackupRequest } from '../../src/domain/backup-request';
import { isFinal } from '../../src/domain/request-state';
import type { Sandbox } from '../../src/sandbox';
import { startSandbox } from '../../src/sandbox';
import { openStore } from '../../src/store/open-store';
import type { RequestStore } from '../../src/store/request-store';
import type { BotProcess } from '../helpers/bot-process';
import { cleanUpBotProcesses, makeTempDir, startBotProcess } from '../helpers/bot-process';
import { missingScopes } from '../helpers/slack-scopes';

/**
 * The bot run as `npm start` runs it (src/main.ts in its own OS process, configured by env and
 * YAML like a deployment, not sandbox mode), killed and restarted: nothing is lost on a crash.
 * Its clock cannot be moved from here, so the deadlines are real and as short as the config
 * allows: a run lease of 300 ms, an approval ttl of 200 ms.
 */

export const ALICE = 'U0ALICE001'; // in @sre-oncall
export const DAVE = 'U0DAVE0001'; // in no group
export const INCIDENT = 'C0INC4711';
export const GENERAL = 'C0GENERAL1';
export const APPROVALS = 'C0APPROVAL';
export const PROJECT = '0123456789abcdef0123456789abcdef'; // the sandbox's default project
export const DB_DATA_1 = '0f187b65-8d0e-4fc0-9096-3b55d330531e';
export const DAILY_7D = 'b1cb1816-7d85-457c-9f32-2a1422d00e17';
export const TEAM = DEMO_WORKSPACE.teamId;

export const ALLOW_SRE = '  - { name: sre-oncall, usergroups: [sre-oncall], decision: allow }';
export const ASK_APPROVAL = `  - { name: approval, everyone: true, decision: require_approval }
approvals:
  channel: ${APPROVALS}
  approvers: { usergroups: [backup-admins] }
  ttl: 200ms`;

export let sandbox: Sandbox;
export let slack: SlackStandIn;
export let dir: string;
export let signingSecret: string;
export let store: RequestStore | undefined;

/** Registers the world every process test runs in: a fresh sandbox, Slack stand-in and temp dir. */
export function useProcessWorld(): void {
  jest.setTimeout(60_000);
  beforeEach(async () => {
    sandbox = await startSandbox();
    slack = await startSlackStandIn();
    dir = makeTempDir();
    signingSecret = randomBytes(16).toString('hex');
  });

  afterEach(async () => {
    await cleanUpBotProcesses();
    await store?.close();
    store = undefined;
    await slack.stop();
    await sandbox.stop();
    expect(missingScopes(slack.state.calls.map((c) => c.method))).toEqual([]);
  });
}

/** A real deployment's YAML: the cloud at the sandbox's URLs, one project, the given rules, a short run lease. */
export function deploymentYaml(rules: string): string {
  return `
slack:
  allowed_team_ids: [${TEAM}]
cloud:
  region: eu-de
  auth_url: "${sandbox.url}/v3"
  endpoints: { vbs: "${sandbox.url}", evs: "${sandbox.url}" }
projects:
  - { name: prod, id: ${PROJECT}, region: eu-de, default: true }
execution:
  run_lease: 300ms
rules:
${rules}
`;
}

/** A real deployment's environment: Slack at the stand-in, IAM credentials, SQLite in the temp dir. */
export function deploymentEnv(): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: slack.apiUrl,
    DATABASE_URL: `sqlite:${join(dir, 'bot.db')}`,
    OTC_USERNAME: sandbox.credentials.username,
    OTC_PASSWORD: sandbox.credentials.password,
    OTC_DOMAIN_NAME: sandbox.credentials.domainName,
    LOG_LEVEL: 'debug',
  };
}

export function startBot(name: string, rules: string): Promise<{ bot: BotProcess; port: number }> {
  return startBotProcess({ name, env: deploymentEnv(), yaml: deploymentYaml(rules), dir });
}

/** The test's own connection to the bot's SQLite file (WAL lets it read while a bot writes). */
export async function openTestStore(): Promise<RequestStore> {
  store = await openStore({ databaseUrl: `sqlite:${join(dir, 'bot.db')}` });
  return store;
}

export async function slashCommand(port: number, userId: string, channelId: string, text: string): Promise<void> {
  const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${port}`, signingSecret, standIn: slack });
  const sent = await driver.slashCommand({ userId, channelId, text });
  expect(sent.status).toBe(200);
}

export function waitForRequest(
  db: RequestStore,
  what: string,
  since: number,
  ready: (request: BackupRequest) => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<BackupRequest> {
  return waitFor(
    `the request ${what}`,
    async () => {
      const [request] = await db.queries.listRequests({ teamId: TEAM, since, limit: 1 });
      return request !== undefined && (await ready(request)) ? request : undefined;
    },
    timeoutMs,
  );
}

/** The audit trail as words: `finished`, `posted root.update`, … */
export async function auditTrail(db: RequestStore, request: BackupRequest): Promise<string[]> {
  return (await db.audit.list(request.id)).map((e) =>
    e.kind === 'message_posted' ? `posted ${String(e.detail['kind'])}` : e.kind,
  );
}

/**
 * Final, and every message about it went out. The state changes before the closing messages are
 * queued, so "final and nothing queued" is not enough: the root message's last edit, which comes
 * after the summary or the expiry note (or a root post that covered it), must have gone out after
 * the request closed (as the demo world's settle reads it).
 */
export async function settled(db: RequestStore, request: BackupRequest): Promise<boolean> {
  if (!isFinal(request.state) || (await db.outbox.listOpen(request.id)).length > 0) return false;
  return lastMessageDone(await db.audit.list(request.id), request.state);
}

export function text(message: StandInMessage): string {
  return renderBlocks(message.blocks, DEMO_WORKSPACE).join('\n');
}

export function associateCalls(): number {
  return sandbox.requests.filter((r) => r.route === 'vbs.associate').length;
}

/**
 * A bot started with approval rules, and Dave's request waiting for approval with its card posted
 * and nothing left in the outbox: the point the approval tests kill or decide from.
 */
export async function startWaitingForApproval(
  rules: string,
): Promise<{ bot: BotProcess; port: number; db: RequestStore; pending: BackupRequest }> {
  const { bot, port } = await startBot('first bot', rules);
  const db = await openTestStore();
  const since = Date.now();
  await slashCommand(port, DAVE, GENERAL, `associate daily-7d ${DB_DATA_1}`);
  const pending = await waitForRequest(
    db,
    'to wait for approval with its card posted',
    since,
    async (r) =>
      r.state === 'pending_approval' &&
      (await auditTrail(db, r)).includes('posted card.post') &&
      (await db.outbox.listOpen(r.id)).length === 0,
  );
  return { bot, port, db, pending };
}
