import type { DemoWorld } from '../../src/demo/demo-world';
import type { StandInView } from '../../src/demo/slack-stand-in/state';
import { waitFor } from '../../src/demo/wait';
import type { BackupRequest } from '../../src/domain/backup-request';
import { renderBlocks } from '../../src/demo/render-text';
import { StoreUnavailableError } from '../../src/store/store-errors';
import { ManualClock } from '../helpers/manual-clock';
import {
  ALICE,
  BOB,
  DAVE,
  GENERAL,
  STORES,
  associateCalls,
  ephemeralReplies,
  letTimePass,
  rootMessages,
  text,
  useWorld,
} from './world';

const APPROVALS = 'C0APPROVAL';
const ERIN = 'U0ERIN0001';
const COMMENT = { 'comment.input': { type: 'plain_text_input' } };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

async function askForApproval(
  w: DemoWorld,
  userId = DAVE,
  command = 'associate weekly-4w db-log-2 --reason "weekly copy"',
): Promise<BackupRequest> {
  const started = w.clock.now();
  await w.driver.slashCommand({ userId, channelId: GENERAL, text: command });
  const request = await w.latestRequest(started);
  return w.settle(request.id, 10_000, { finalOrWaiting: true });
}

function card(w: DemoWorld) {
  const [c] = w.slack.state.channelMessages(APPROVALS);
  if (c === undefined) throw new Error('no approval card was posted');
  return c;
}

/** Clicks Approve or Deny on the card and waits for the modal to be filled (form or explanation). */
async function clickDecision(
  w: DemoWorld,
  userId: string,
  requestId: string,
  decision: 'approve' | 'deny',
  teamId?: string,
): Promise<StandInView> {
  const before = new Set(w.slack.state.views.keys());
  await w.driver.clickButton({
    userId,
    channelId: APPROVALS,
    messageTs: card(w).ts,
    actionId: `approval.${decision}`,
    value: requestId,
    ...(teamId && { teamId }),
  });
  return waitFor('the modal to be filled', () => {
    const view = [...w.slack.state.views.values()].find((v) => !before.has(v.id));
    return view && view.view['callback_id'] !== 'info.modal'
      ? view
      : view && !JSON.stringify(view.view).includes('Checking the request')
        ? view
        : undefined;
  });
}

function modalText(w: DemoWorld, view: StandInView): string {
  return renderBlocks(
    (w.slack.state.views.get(view.id)!.view['blocks'] as unknown[] | undefined) ?? [],
    w.workspace,
  ).join('\n');
}

async function submit(w: DemoWorld, userId: string, view: StandInView, comment: string | undefined, teamId?: string) {
  return w.driver.submitView({
    userId,
    viewId: view.id,
    values: { comment: { 'comment.input': { ...COMMENT['comment.input'], value: comment ?? null } } },
    ...(teamId && { teamId }),
  });
}

async function audits(w: DemoWorld, id: string): Promise<string[]> {
  return (await w.bot.store.audit.list(id as BackupRequest['id'])).map((e) => e.kind);
}

describe.each(STORES)('approvals, end to end, on %s', (store) => {
  const world = useWorld({}, store);

  it('posts a waiting note with Cancel in the thread and a card with every volume to the approvers', async () => {
    const w = world();
    const request = await askForApproval(w);
    expect(request.state).toBe('pending_approval');
    const [root] = rootMessages(w, GENERAL);
    expect(text(w, root!.blocks)).toContain('Waiting for approval');
    const [note] = w.slack.state.thread(GENERAL, root!.ts);
    expect(text(w, note!.blocks)).toMatch(
      /Waiting for approval by @backup-admins \(expires \d\d:\d\d UTC, \d{4}-\d\d-\d\d\)/,
    );
    expect(text(w, note!.blocks)).toContain('[ Cancel request ]');
    const cardText = text(w, card(w).blocks);
    expect(cardText).toContain('@dave asks to add 1 volume to backup policy `weekly-4w`');
    expect(cardText).toContain('`db-log-2` `8dd63b80-1077-4b5d-855c-ed18f8505211` · eu-de-02 · 100 GB · in-use');
    expect(cardText).toContain('Reason: weekly copy');
    expect(cardText).toContain('approval asked by rule `others-need-approval`');
    expect(cardText).toContain('[ Approve ] [ Deny ]');
    expect(associateCalls(w)).toBe(0);
    expect(await audits(w, request.id)).toEqual(expect.arrayContaining(['received', 'decided', 'approval_requested']));
  });

  it('denies with a required comment: the modal insists, then the card, thread and root say who denied and why', async () => {
    const w = world();
    const request = await askForApproval(w);
    const form = await clickDecision(w, BOB, request.id, 'deny');
    expect(modalText(w, form)).toContain('Denying closes the request; nothing is changed in the cloud.');
    const empty = await submit(w, BOB, form, '   ');
    expect(empty.answer).toEqual({ response_action: 'errors', errors: { comment: 'Please say why you deny it.' } });
    expect((await w.bot.store.requests.get(request.id))!.state).toBe('pending_approval');
    await submit(w, BOB, form, 'use daily-30d <!channel>');
    const done = await w.settle(request.id);
    expect(done.state).toBe('denied');
    const cardText = text(w, card(w).blocks);
    expect(cardText).toMatch(/⛔ Denied by @bob at \d\d:\d\d UTC, \d{4}-\d\d-\d\d: use daily-30d <!channel>/);
    expect(cardText).not.toContain('[ Approve ]');
    expect(JSON.stringify(card(w).blocks)).toContain('&lt;!channel&gt;');
    const [root] = rootMessages(w, GENERAL);
    expect(text(w, w.slack.state.thread(GENERAL, root!.ts).at(-1)!.blocks)).toContain('Denied by @bob');
    expect(text(w, root!.blocks)).toContain('Denied');
    expect(associateCalls(w)).toBe(0);
    expect(await audits(w, request.id)).toContain('denied');
  });

  it("names the request on the log lines of a decision's work: the modal's Slack calls included", async () => {
    const w = world();
    const request = await askForApproval(w);
    const mark = w.logger.lines.length;
    const form = await clickDecision(w, BOB, request.id, 'approve');
    await submit(w, BOB, form, undefined);
    await w.settle(request.id);
    const records = w.logger.lines.slice(mark).map((l) => JSON.parse(l) as Record<string, unknown>);
    const modalCalls = records.filter(
      (r) => r['msg'] === 'slack call' && String(r['slackMethod']).startsWith('views.'),
    );
    // The modal opened, filled with the decision form, then told the decision.
    expect(modalCalls.length).toBeGreaterThanOrEqual(3);
    for (const r of modalCalls) expect(r['requestId']).toBe(request.id);
  });

  it("logs a click's failure under its request, and tells the clicker", async () => {
    const w = world();
    const request = await askForApproval(w);
    const [root] = rootMessages(w, GENERAL);
    const note = w.slack.state.thread(GENERAL, root!.ts)[0]!;
    jest
      .spyOn(w.bot.store.requests, 'get')
      .mockRejectedValueOnce(new StoreUnavailableError('the database does not answer'));
    const mark = w.logger.lines.length;
    const click = await w.driver.clickButton({
      userId: DAVE,
      channelId: GENERAL,
      messageTs: note.ts,
      actionId: 'request.cancel',
      value: request.id,
    });
    await waitFor('the failure told', async () =>
      (await ephemeralReplies(w, click.responseId)).length > 0 ? true : undefined,
    );
    const failed = w.logger.lines
      .slice(mark)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r['msg'] === 'request failed');
    expect(failed).toEqual([expect.objectContaining({ code: 'STORE_UNAVAILABLE', requestId: request.id })]);
  });

  it('lets the requester cancel while pending, and nobody else', async () => {
    const w = world();
    const request = await askForApproval(w);
    const [root] = rootMessages(w, GENERAL);
    const note = w.slack.state.thread(GENERAL, root!.ts)[0]!;
    const other = await w.driver.clickButton({
      userId: ALICE,
      channelId: GENERAL,
      messageTs: note.ts,
      actionId: 'request.cancel',
      value: request.id,
    });
    expect((await ephemeralReplies(w, other.responseId))[0]).toContain(
      'Only the person who asked can cancel this request',
    );
    expect((await w.bot.store.requests.get(request.id))!.state).toBe('pending_approval');
    await w.driver.clickButton({
      userId: DAVE,
      channelId: GENERAL,
      messageTs: note.ts,
      actionId: 'request.cancel',
      value: request.id,
    });
    const done = await w.settle(request.id);
    expect(done.state).toBe('cancelled');
    expect(text(w, card(w).blocks)).toContain('Cancelled by @dave');
    expect(text(w, card(w).blocks)).not.toContain('[ Approve ]');
    const form = await clickDecision(w, BOB, request.id, 'approve');
    expect(modalText(w, form)).toContain('This request is not waiting for a decision (it is cancelled).');
    expect(associateCalls(w)).toBe(0);
  });

  it('refuses self-approval, by click and by a crafted submission, and audits it', async () => {
    const w = world();
    // Bob is an approver; he asks himself (in #general, where only the approval rule matches him).
    const request = await askForApproval(w, BOB);
    const view = await clickDecision(w, BOB, request.id, 'approve');
    expect(modalText(w, view)).toContain('You asked for this yourself; someone else must approve or deny it.');
    // A crafted submission of the form, as if the modal had been opened: still refused on the server.
    const erinForm = await clickDecision(w, ERIN, request.id, 'approve');
    await submit(w, BOB, erinForm, 'looks fine to me');
    await waitFor('the refusal', () =>
      modalText(w, erinForm).includes('someone else must approve') ? true : undefined,
    );
    expect((await w.bot.store.requests.get(request.id))!.state).toBe('pending_approval');
    expect((await audits(w, request.id)).filter((k) => k === 'refused')).toHaveLength(2);
    expect(associateCalls(w)).toBe(0);
  });

  it('refuses crafted clicks: an unknown request id, a request of another workspace, a non-approver', async () => {
    const w = world();
    const request = await askForApproval(w);
    const unknown = await clickDecision(w, BOB, 'r-zzzzzzzz', 'approve');
    expect(modalText(w, unknown)).toContain('I do not know that request.');
    const foreign = await clickDecision(w, BOB, request.id, 'approve', 'T0ELSEWHERE');
    // Answered as an unknown request (it reveals nothing); the audit keeps the operator's reason.
    expect(modalText(w, foreign)).toContain('I do not know that request.');
    expect((await w.bot.store.audit.list(request.id)).filter((e) => e.kind === 'refused')).toEqual([
      expect.objectContaining({ actor: BOB, kind: 'refused', detail: { action: 'approve', why: 'other_workspace' } }),
    ]);
    const notApprover = await clickDecision(w, ALICE, request.id, 'approve');
    expect(modalText(w, notApprover)).toContain('You are not an approver of this request');
    // The form of a real approver, submitted as someone else, is refused too.
    const form = await clickDecision(w, BOB, request.id, 'approve');
    await submit(w, ALICE, form, undefined);
    await waitFor('the refusal', () => (modalText(w, form).includes('You are not an approver') ? true : undefined));
    expect((await w.bot.store.requests.get(request.id))!.state).toBe('pending_approval');
    expect((await w.bot.store.audit.list('r-zzzzzzzz' as BackupRequest['id'])).map((e) => e.kind)).toEqual(['refused']);
    expect(associateCalls(w)).toBe(0);
  });

  it('refuses an approver who left the group after the card was posted', async () => {
    const w = world();
    const request = await askForApproval(w);
    const form = await clickDecision(w, BOB, request.id, 'approve');
    w.slack.state.setGroupMembers('backup-admins', [ERIN]);
    await submit(w, BOB, form, 'ok');
    await waitFor('the refusal', () => (modalText(w, form).includes('You are not an approver') ? true : undefined));
    expect((await w.bot.store.requests.get(request.id))!.state).toBe('pending_approval');
    expect(associateCalls(w)).toBe(0);
  });

  it('approves once even when the same approver submits twice and another approver at the same time', async () => {
    const w = world();
    const request = await askForApproval(w);
    const bobForm = await clickDecision(w, BOB, request.id, 'approve');
    const erinForm = await clickDecision(w, ERIN, request.id, 'approve');
    await Promise.all([
      submit(w, BOB, bobForm, 'one'),
      submit(w, BOB, bobForm, 'two'),
      submit(w, ERIN, erinForm, 'three'),
    ]);
    const done = await w.settle(request.id);
    expect(done.state).toBe('succeeded');
    expect(associateCalls(w)).toBe(1);
    const [root] = rootMessages(w, GENERAL);
    const summaries = w.slack.state
      .thread(GENERAL, root!.ts)
      .filter((m) => text(w, m.blocks).includes('added to backup policy `weekly-4w`'));
    expect(summaries).toHaveLength(1);
    expect((await audits(w, request.id)).filter((k) => k === 'approved')).toHaveLength(1);
  });
});

describe.each(STORES)('approval deadlines, on %s', (store) => {
  // The demo's deadlines (remind after 30m, expire after 4h) on a clock the test moves; the
  // approval loops are left to the test's own scheduler runs, so each step is one that it took.
  const clock = new ManualClock();
  const world = useWorld({ clock, intervals: { approvalsMs: HOUR } }, store);

  const reminders = (w: DemoWorld) => w.slack.state.thread(APPROVALS, card(w).ts);

  it('reminds once in the card thread, then expires the request and says so everywhere', async () => {
    const w = world();
    const request = await askForApproval(w);
    expect(request.approval).toMatchObject({
      remindAt: request.createdAt + 30 * MINUTE,
      expiresAt: request.createdAt + 4 * HOUR,
    });

    await letTimePass(w, clock, 30 * MINUTE - 1);
    expect(reminders(w)).toEqual([]);
    await letTimePass(w, clock, 1);
    const [reminder] = reminders(w);
    expect(text(w, reminder!.blocks)).toContain("Reminder: @dave's request");
    expect(
      w.slack.state.callsOf('chat.postMessage').find((c) => c.args['thread_ts'] === card(w).ts)!.args[
        'reply_broadcast'
      ],
    ).toBe(true);

    await letTimePass(w, clock, 4 * HOUR - 30 * MINUTE - 1);
    expect((await w.bot.store.requests.get(request.id))!.state).toBe('pending_approval');
    await letTimePass(w, clock, 1);
    const done = await w.settle(request.id);
    expect(done.state).toBe('expired');
    expect(text(w, card(w).blocks)).toContain('Expired at');
    expect(text(w, card(w).blocks)).not.toContain('[ Approve ]');
    const [root] = rootMessages(w, GENERAL);
    expect(text(w, w.slack.state.thread(GENERAL, root!.ts).at(-1)!.blocks)).toContain(
      'nobody decided in time. Nothing was changed.',
    );
    expect(reminders(w)).toHaveLength(1);
    const late = await clickDecision(w, BOB, request.id, 'approve');
    expect(modalText(w, late)).toContain('it is expired');
    expect(associateCalls(w)).toBe(0);
    expect(await audits(w, request.id)).toEqual(expect.arrayContaining(['reminded', 'expired']));
  });
});

describe('/backup status and /backup audit', () => {
  const world = useWorld();

  it('shows a request its history to its requester and approvers, and to nobody else', async () => {
    const w = world();
    const request = await askForApproval(w);
    const form = await clickDecision(w, BOB, request.id, 'approve');
    await submit(w, BOB, form, 'fine');
    await w.settle(request.id);

    const mine = await w.driver.slashCommand({ userId: DAVE, channelId: GENERAL, text: `status ${request.id}` });
    const [history] = await ephemeralReplies(w, mine.responseId);
    expect(history).toContain(`request \`${request.id}\``);
    expect(history).toContain('All added (1 of 1 added)');
    expect(history).toMatch(/@dave asked \(1 volume to `weekly-4w` in `prod`\)/);
    expect(history).toContain('rule `others-need-approval` decided: require approval');
    expect(history).toContain('approved by @bob: fine');
    expect(history).toContain('call 1: 1 added, 0 failed');
    expect(history).toContain('finished: succeeded (1 added, 0 failed)');

    const approver = await w.driver.slashCommand({
      userId: ERIN,
      channelId: GENERAL,
      text: `status ${request.id.toUpperCase()}`,
    });
    expect((await ephemeralReplies(w, approver.responseId))[0]).toContain('History');

    const stranger = await w.driver.slashCommand({ userId: ALICE, channelId: GENERAL, text: `status ${request.id}` });
    expect((await ephemeralReplies(w, stranger.responseId))[0]).toContain('Only the person who asked for');
    const unknown = await w.driver.slashCommand({ userId: DAVE, channelId: GENERAL, text: 'status r-zzzzzzzz' });
    expect((await ephemeralReplies(w, unknown.responseId))[0]).toContain(
      'There is no request `r-zzzzzzzz` in this workspace.',
    );
    const foreign = await w.driver.slashCommand({
      userId: DAVE,
      channelId: GENERAL,
      text: `status ${request.id}`,
      teamId: 'T0ELSEWHERE',
    });
    expect((await ephemeralReplies(w, foreign.responseId))[0]).toContain('There is no request');
  });

  it("sends the requester their own requests and an approver everyone's as a CSV file in a direct message", async () => {
    const w = world();
    const daves = await askForApproval(w);
    const started = Date.now();
    await w.driver.slashCommand({
      userId: ALICE,
      channelId: 'C0INC4711',
      text: 'associate daily-7d db-data-2 --reason "=cmd|\' /C calc"',
    });
    await w.settle((await w.latestRequest(started)).id);

    const own = await w.driver.slashCommand({ userId: DAVE, channelId: GENERAL, text: 'audit' });
    expect((await ephemeralReplies(w, own.responseId))[0]).toContain('your requests of the last 7 days, 1 request');
    const all = await w.driver.slashCommand({ userId: BOB, channelId: GENERAL, text: 'audit --days 30' });
    expect((await ephemeralReplies(w, all.responseId))[0]).toContain(
      "everyone's requests (you are an approver) of the last 30 days, 2 requests",
    );

    const [daveFile, bobFile] = w.slack.state.files;
    expect(daveFile).toMatchObject({ channel: 'D0DAVE0001' });
    expect(bobFile).toMatchObject({ channel: 'D0BOB00001' });
    const daveRows = daveFile!.content!.trim().split('\r\n');
    expect(daveRows[0]).toBe(
      '"request_id","created_at","requester","channel","project","policy","policy_id","volumes","state","rule","verdict","decided_by","decided_at","comment","added","failed","reason"',
    );
    expect(daveRows).toHaveLength(2);
    expect(daveRows[1]).toContain(`"${daves.id}",`);
    expect(daveRows[1]).toContain('"pending_approval","others-need-approval","require_approval"');
    const bobRows = bobFile!.content!.trim().split('\r\n');
    expect(bobRows).toHaveLength(3);
    expect(bobRows.find((r) => r.includes('sre-oncall'))).toContain(`"'=cmd|' /C calc"`);
    expect(w.slack.state.channelMessages(GENERAL).every((m) => !m.text.includes('audit'))).toBe(true);
  });

  it('answers bad status and audit arguments with their usage', async () => {
    const w = world();
    for (const [command, message] of [
      ['status', 'Which request or volume?'],
      ['status 12345', 'No volume is named `12345` in project `prod`.'],
      ['status r-0000000o', 'is neither a request id'],
      ['audit --days 0', '`--days` takes a whole number from 1 to 90'],
      ['audit --since 3', 'is not an option of /backup audit'],
    ] as const) {
      const sent = await w.driver.slashCommand({ userId: DAVE, channelId: GENERAL, text: command });
      const [reply] = await ephemeralReplies(w, sent.responseId);
      expect(reply).toContain(message);
      expect(reply).toContain('/backup');
    }
  });
});
