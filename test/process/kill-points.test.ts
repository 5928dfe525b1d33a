import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SlackDriver } from '../../src/demo/slack-driver';
import { waitFor } from '../../src/demo/wait';
import type { BackupRequest } from '../../src/domain/backup-request';
import type { RequestStore } from '../../src/store/request-store';
import {
  ALICE,
  ALLOW_SRE,
  APPROVALS,
  associateCalls,
  auditTrail,
  DAILY_7D,
  DB_DATA_1,
  dir,
  GENERAL,
  INCIDENT,
  openTestStore,
  PROJECT,
  sandbox,
  settled,
  signingSecret,
  slack,
  TEAM,
  slashCommand,
  startBot,
  text,
  startWaitingForApproval,
  useProcessWorld,
  waitForRequest,
} from './harness';

useProcessWorld();

const BOB = 'U0BOB00001'; // in @backup-admins
/** Approval by @backup-admins, with a deadline far enough away for the test. */
const ASK_APPROVAL_1H = `  - { name: approval, everyone: true, decision: require_approval }
approvals:
  channel: ${APPROVALS}
  approvers: { usergroups: [backup-admins] }
  ttl: 1h`;
/** Slack holds its answer this long: the bot is killed while it waits. */
const HELD = 30_000;

/** One root message in `channel`, one summary in its thread, the request finished and settled. */
async function expectFinishedOnce(
  db: RequestStore,
  request: BackupRequest,
  channel = INCIDENT,
): Promise<BackupRequest> {
  const done = await waitForRequest(db, 'to finish after the restart', request.createdAt, (r) => settled(db, r));
  expect(done.id).toBe(request.id);
  expect(done.state).toBe('succeeded');
  const roots = slack.state.channelMessages(channel);
  expect(roots).toHaveLength(1);
  const [root] = roots;
  if (root === undefined) throw new Error('no root message');
  expect(text(root)).toContain('All added');
  const summaries = slack.state
    .thread(channel, root.ts)
    .filter((m) => text(m).includes('added to backup policy `daily-7d`'));
  expect(summaries).toHaveLength(1);
  expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBe(DAILY_7D);
  return done;
}

/**
 * SIGKILL at each point where the bot holds work that only it knows about; the next start takes
 * it over once its lease (300 ms here) has run out, and each message and change happens once.
 */
describe('the bot killed at each point of a request, then restarted', () => {
  it('before the cloud call, while Slack holds the answer to the root post', async () => {
    const { bot: first, port } = await startBot('first bot', ALLOW_SRE);
    const db = await openTestStore();
    slack.failNext('chat.postMessage', { lateMs: HELD });
    const since = Date.now();
    await slashCommand(port, ALICE, INCIDENT, `associate daily-7d ${DB_DATA_1}`);
    await waitFor('the root message to reach Slack', () =>
      slack.state.channelMessages(INCIDENT).length === 1 ? true : undefined,
    );
    const request = await waitForRequest(db, 'to be recorded', since, () => true);
    await first.kill('SIGKILL');
    expect((await db.requests.get(request.id))?.state).toBe('allowed');
    expect(associateCalls()).toBe(0);

    await startBot('second bot', ALLOW_SRE);
    await expectFinishedOnce(db, request);
    expect(associateCalls()).toBe(1);
    // The second bot found the first bot's root message instead of posting another.
    expect(slack.state.callsOf('conversations.history').length).toBeGreaterThanOrEqual(1);
  });

  it('after the cloud call, before its outcome is written (the database held locked)', async () => {
    const { bot: first, port } = await startBot('first bot', ALLOW_SRE);
    const db = await openTestStore();
    sandbox.faults.inject('vbs.associate', { latencyMs: 500 });
    const since = Date.now();
    await slashCommand(port, ALICE, INCIDENT, `associate daily-7d ${DB_DATA_1}`);
    const running = await waitForRequest(db, 'to be running', since, (r) => r.state === 'running');
    await waitFor('the associate call to reach the cloud', () =>
      sandbox.faults.pending('vbs.associate') === 0 ? true : undefined,
    );
    // The test takes the write lock: every write after the call (its audit, the outcome) waits.
    const lock = new Database(join(dir, 'bot.db'));
    lock.exec('BEGIN IMMEDIATE');
    try {
      await waitFor('the cloud to have added the volume', () =>
        sandbox.state.policyOfVolume(PROJECT, DB_DATA_1) === DAILY_7D ? true : undefined,
      );
      await first.kill('SIGKILL');
    } finally {
      lock.exec('ROLLBACK');
      lock.close();
    }
    expect((await db.requests.get(running.id))?.state).toBe('running');

    await startBot('second bot', ALLOW_SRE);
    await expectFinishedOnce(db, running);
    // Associating again changes nothing; the trail shows the resumed run's call.
    expect(associateCalls()).toBe(2);
    expect(await auditTrail(db, running)).toContain('resumed');
  });

  it('while Slack holds the answer to the summary post', async () => {
    const { bot: first, port } = await startBot('first bot', ALLOW_SRE);
    const db = await openTestStore();
    sandbox.faults.inject('vbs.associate', { latencyMs: 300 });
    const since = Date.now();
    await slashCommand(port, ALICE, INCIDENT, `associate daily-7d ${DB_DATA_1}`);
    await waitFor('the root message', () => (slack.state.channelMessages(INCIDENT).length === 1 ? true : undefined));
    slack.failNext('chat.postMessage', { lateMs: HELD });
    const root = slack.state.channelMessages(INCIDENT)[0];
    await waitFor('the summary to reach Slack', () =>
      slack.state.thread(INCIDENT, root?.ts ?? '').length === 1 ? true : undefined,
    );
    const request = await waitForRequest(db, 'to be finished', since, (r) => r.state === 'succeeded');
    await first.kill('SIGKILL');

    await startBot('second bot', ALLOW_SRE);
    await expectFinishedOnce(db, request);
    expect(associateCalls()).toBe(1);
    expect(slack.state.callsOf('conversations.replies').length).toBeGreaterThanOrEqual(1);
  });

  it('during an approval: the decision recorded, Slack holding the answer to the card update', async () => {
    const { bot: first, port, db, pending } = await startWaitingForApproval(ASK_APPROVAL_1H);
    const card = slack.state.channelMessages(APPROVALS)[0];
    const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${port}`, signingSecret, standIn: slack });
    await driver.clickButton({
      userId: BOB,
      channelId: APPROVALS,
      messageTs: card?.ts ?? '',
      actionId: 'approval.approve',
      value: pending.id,
    });
    const modal = await waitFor('the approval form', () =>
      [...slack.state.views.values()].find((v) => v.view['callback_id'] === 'approval.approve.modal'),
    );
    slack.failNext('chat.update', { lateMs: HELD });
    await driver.submitView({
      userId: BOB,
      viewId: modal.id,
      values: { comment: { 'comment.input': { type: 'plain_text_input', value: 'ok' } } },
    });
    await waitFor('the card update to reach Slack', () => (card !== undefined && card.edits > 0 ? true : undefined));
    await first.kill('SIGKILL');
    expect((await db.requests.get(pending.id))?.state).toBe('approved');
    expect(associateCalls()).toBe(0);

    await startBot('second bot', ASK_APPROVAL_1H);
    const done = await expectFinishedOnce(db, pending, GENERAL);
    expect(done.approval?.decidedBy).toBe(BOB);
    expect(associateCalls()).toBe(1);
    expect(slack.state.channelMessages(APPROVALS)).toHaveLength(1);
    const root = slack.state.channelMessages(GENERAL)[0];
    const notes = slack.state.thread(GENERAL, root?.ts ?? '').map(text);
    expect(notes.filter((n) => n.includes('Approved by'))).toHaveLength(1);
  });
});

describe('the bot stopped with SIGTERM while it works', () => {
  it('takes no new work, finishes the 20 requests it is running and exits with code 0', async () => {
    const rules = `${ALLOW_SRE}\nlimits:\n  requests_per_user_per_minute: 100`;
    const { bot, port } = await startBot('bot', rules);
    const db = await openTestStore();
    sandbox.faults.inject('vbs.associate', { latencyMs: 1000, times: 20 });
    const since = Date.now();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        slashCommand(port, ALICE, INCIDENT, `associate daily-7d ${DB_DATA_1} --reason "load ${i}"`),
      ),
    );
    const all = () => db.queries.listRequests({ teamId: TEAM, since, limit: 50 });
    await waitFor('20 requests to be running', async () =>
      (await all()).filter((r) => r.state === 'running').length === 20 ? true : undefined,
    );

    const exited = bot.kill('SIGTERM');
    await bot.waitForLog('the bot to start stopping', (r) => r['msg'] === 'stopping');
    await expect(
      slashCommand(port, ALICE, INCIDENT, `associate daily-7d ${DB_DATA_1} --reason late`),
    ).rejects.toThrow();
    expect(await exited).toEqual({ code: 0, signal: null });

    const requests = await all();
    expect(requests).toHaveLength(20);
    for (const request of requests) expect(await settled(db, request)).toBe(true);
    expect(requests.every((r) => r.state === 'succeeded')).toBe(true);
    expect(associateCalls()).toBe(20);
    expect(slack.state.channelMessages(INCIDENT)).toHaveLength(20);
  });
});
