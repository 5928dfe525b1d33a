import type { DemoWorld } from '../../src/demo/demo-world';
import { startDemoWorld } from '../../src/demo/demo-world';
import { renderBlocks } from '../../src/demo/render-text';
import type { SlackDriver } from '../../src/demo/slack-driver';
import type { StandInView } from '../../src/demo/slack-stand-in/state';
import { waitFor } from '../../src/demo/wait';
import type { AuditEvent, BackupRequest } from '../../src/domain/backup-request';
import type { TestSchema } from '../helpers/pg-schema';
import { createTestSchema, withSearchPath } from '../helpers/pg-schema';
import { missingScopes } from '../helpers/slack-scopes';
import type { TcpProxy } from '../helpers/tcp-proxy';
import { startTcpProxy } from '../helpers/tcp-proxy';
import {
  ALICE,
  BOB,
  DAVE,
  DB_DATA_1,
  GENERAL,
  INCIDENT,
  associateCalls,
  ephemeralReplies,
  rootMessages,
  text,
} from './world';

const databaseUrl = process.env.TEST_DATABASE_URL ?? '';
const describePostgres = databaseUrl === '' ? describe.skip : describe;
if (databaseUrl === '') console.warn('TEST_DATABASE_URL not set: PostgreSQL replica tests skipped');

const ERIN = 'U0ERIN0001'; // in @backup-admins, like BOB
const APPROVALS = 'C0APPROVAL';
/** Needs approval: DAVE is in no group and #general is not an incident channel (rule others-need-approval). */
const NEEDS_APPROVAL = 'associate weekly-4w db-log-2';

type Decision = 'approve' | 'deny';

/** A database for one test: a SQLite file of the world (undefined URL) or a fresh PostgreSQL schema. */
interface TestDatabase {
  readonly url: string | undefined;
  cleanup(): Promise<void>;
}

/** Starts a world of `replicas` bots on a fresh database before each test; stops it and checks the Slack scopes after. */
function useReplicas(openDatabase: () => Promise<TestDatabase>, replicas = 2): () => DemoWorld {
  let world: DemoWorld | undefined;
  let database: TestDatabase | undefined;
  beforeEach(async () => {
    database = await openDatabase();
    world = await startDemoWorld({ replicas, ...(database.url !== undefined && { databaseUrl: database.url }) });
  });
  afterEach(async () => {
    const called = world?.slack.state.calls.map((c) => c.method) ?? [];
    await world?.stop();
    await database?.cleanup();
    world = undefined;
    database = undefined;
    expect(missingScopes(called)).toEqual([]);
  });
  return () => {
    if (world === undefined) throw new Error('world not started');
    return world;
  };
}

/** The world's own SQLite file, removed with the world. */
const sqliteDatabase = (): Promise<TestDatabase> =>
  Promise.resolve({ url: undefined, cleanup: () => Promise.resolve() });

const postgresDatabase = async (): Promise<TestDatabase> => {
  const schema = await createTestSchema(databaseUrl);
  return { url: schema.url, cleanup: () => schema.drop() };
};

async function askForApproval(w: DemoWorld, reason: string): Promise<BackupRequest> {
  const started = Date.now();
  await w.driver.slashCommand({ userId: DAVE, channelId: GENERAL, text: `${NEEDS_APPROVAL} --reason "${reason}"` });
  const request = await w.latestRequest(started);
  // The request is recorded before its messages are queued: wait for the card itself, then for the rest.
  await waitFor(`the approval card of ${request.id}`, async () =>
    (await w.bot.store.requests.get(request.id))?.approvalMessage === undefined ? undefined : true,
  );
  const waiting = await w.settle(request.id, 10_000, { finalOrWaiting: true });
  expect(waiting.state).toBe('pending_approval');
  return waiting;
}

function cardOf(w: DemoWorld, request: BackupRequest) {
  const card = w.slack.state.channelMessages(APPROVALS).find((m) => m.ts === request.approvalMessage?.ts);
  if (card === undefined) throw new Error(`no approval card for ${request.id}`);
  return card;
}

function viewText(w: DemoWorld, view: StandInView): string {
  return renderBlocks((view.view['blocks'] as unknown[] | undefined) ?? [], w.workspace).join('\n');
}

function viewTitle(view: { view: Record<string, unknown> }): string | undefined {
  return (view.view['title'] as { text?: string } | undefined)?.text;
}

/** Clicks Approve or Deny on the card through one replica and waits until that click's modal shows the form. */
async function openModal(
  w: DemoWorld,
  driver: SlackDriver,
  userId: string,
  request: BackupRequest,
  decision: Decision,
): Promise<StandInView> {
  const before = new Set(w.slack.state.views.keys());
  const clicked = await driver.clickButton({
    userId,
    channelId: APPROVALS,
    messageTs: cardOf(w, request).ts,
    actionId: `approval.${decision}`,
    value: request.id,
  });
  expect(clicked.status).toBe(200);
  const callbackId = `approval.${decision}.modal`;
  return waitFor(`the ${decision} form for ${userId}`, () =>
    [...w.slack.state.views.values()].find((v) => !before.has(v.id) && v.view['callback_id'] === callbackId),
  );
}

function commentValues(comment: string) {
  return { comment: { 'comment.input': { type: 'plain_text_input', value: comment } } };
}

/** The modals the bot wrote after the submissions: one `views.update` per submission, with the view it answered. */
function modalAnswers(w: DemoWorld, fromCall: number): { viewId: string; title: string; text: string }[] {
  return w.slack.state.calls
    .slice(fromCall)
    .filter((c) => c.method === 'views.update')
    .map((c) => {
      const view = c.args['view'] as Record<string, unknown>;
      return {
        viewId: String(c.args['view_id']),
        title: viewTitle({ view }) ?? '',
        text: renderBlocks((view['blocks'] as unknown[] | undefined) ?? [], w.workspace).join('\n'),
      };
    });
}

const kinds = (events: readonly AuditEvent[], kind: AuditEvent['kind']) => events.filter((e) => e.kind === kind);

function summariesIn(w: DemoWorld, request: BackupRequest): string[] {
  const root = request.rootMessage;
  if (root === undefined) throw new Error(`request ${request.id} has no root message`);
  return w.slack.state
    .thread(root.channel, root.ts)
    .map((m) => m.text.replace(/^sandbox: no real cloud · /, ''))
    .filter((t) => new RegExp(`^${request.id}: \\d+ added, \\d+ failed$`).test(t));
}

function describeReplicas(label: string, openDatabase: () => Promise<TestDatabase>): void {
  describe(`two replicas on ${label}`, () => {
    const world = useReplicas(openDatabase);

    it('runs a request once when 14 approvals across both replicas arrive at the same moment', async () => {
      const w = world();
      // Two bots on their own ports with their own store connections, one database.
      expect(w.bots).toHaveLength(2);
      expect(w.bots[0]!.port).not.toBe(w.bots[1]!.port);
      expect(w.bots[0]!.store).not.toBe(w.bots[1]!.store);
      const request = await askForApproval(w, 'weekly copy of the db-02 logs');
      expect(await w.bots[1]!.store.requests.get(request.id)).toEqual(request);

      // Bob and Erin each click Approve six times, alternating replicas: twelve modals (double clicks included).
      const modals: { view: StandInView; userId: string }[] = [];
      for (let i = 0; i < 12; i += 1) {
        const userId = i % 4 < 2 ? BOB : ERIN;
        modals.push({ view: await openModal(w, w.drivers[i % 2]!, userId, request, 'approve'), userId });
      }
      expect(new Set(modals.map((m) => m.view.id)).size).toBe(12);

      // Every modal submitted once, and two of them again (Slack redelivering), each through both replicas in turn.
      const submissions = [...modals, modals[0]!, modals[5]!].map((m, k) => ({
        ...m,
        driver: w.drivers[(k + Math.floor(k / modals.length)) % 2]!,
        comment: `submission ${k}`,
      }));
      const callsBefore = w.slack.state.calls.length;
      const answers = await Promise.all(
        submissions.map((s) =>
          s.driver.submitView({
            userId: s.userId,
            viewId: s.view.id,
            values: commentValues(s.comment),
            privateMetadata: request.id,
          }),
        ),
      );
      for (const a of answers) {
        expect(a.status).toBe(200);
        expect(a.answer['response_action']).toBe('update');
      }

      const done = await w.settle(request.id);
      expect(done.state).toBe('succeeded');
      expect(associateCalls(w)).toBe(1);

      // One answer per submission: exactly one says it was approved, every other that nothing changed.
      const written = await waitFor('an answer in the modal for every submission', () => {
        const found = modalAnswers(w, callsBefore);
        return found.length >= submissions.length ? found : undefined;
      });
      expect(written).toHaveLength(submissions.length);
      const winners = written.filter((a) => a.title === 'Done');
      const losers = written.filter((a) => a.title !== 'Done');
      expect(winners).toHaveLength(1);
      expect(winners[0]!.text).toMatch(/Approved by @(bob|erin) at .*: submission \d+/);
      expect(losers).toHaveLength(submissions.length - 1);
      for (const loser of losers) {
        expect(loser.title).toBe('Nothing changed');
        expect(loser.text).toContain('This request is not waiting for a decision');
        expect(loser.text).toContain('Nothing was changed.');
      }

      // Every modal a person sees ends with an answer, not "Recording your decision…".
      for (const { view } of modals) {
        const shown = w.slack.state.views.get(view.id)!;
        expect(['Done', 'Nothing changed']).toContain(viewTitle(shown));
        if (viewTitle(shown) === 'Nothing changed')
          expect(viewText(w, shown)).toContain('This request is not waiting for a decision');
      }

      const events = await w.bot.store.audit.list(request.id);
      const approved = kinds(events, 'approved');
      expect(approved).toHaveLength(1);
      expect(approved[0]!.actor).toBe(done.approval!.decidedBy);
      expect(approved[0]!.detail).toEqual({ comment: done.approval!.comment });
      const winner = submissions.find((s) => s.comment === done.approval!.comment)!;
      expect(winner.userId).toBe(done.approval!.decidedBy);
      expect(winners[0]!.text).toContain(`: ${winner.comment}`);
      const refused = kinds(events, 'refused');
      expect(refused).toHaveLength(submissions.length - 1);
      for (const r of refused) expect(r.detail).toEqual({ action: 'approve', why: 'no_longer_pending' });
      expect(kinds(events, 'started')).toHaveLength(1);
      expect(kinds(events, 'cloud_call')).toHaveLength(1);
      expect(kinds(events, 'finished')).toHaveLength(1);

      expect(rootMessages(w, GENERAL)).toHaveLength(1);
      expect(summariesIn(w, done)).toEqual([`${done.id}: 1 added, 0 failed`]);
      expect(text(w, cardOf(w, done).blocks)).toMatch(/Approved by @(bob|erin) at/);
    });

    it('records one request for a command sent to both replicas at once, and tells the others it is under way', async () => {
      const w = world();
      const input = { userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1} --reason "INC-2"` };
      // Three copies to each replica, interleaved: a double submit and Slack's retries landing on different replicas.
      const sent = await Promise.all([0, 1, 0, 1, 0, 1].map((i) => w.drivers[i]!.slashCommand(input)));
      for (const s of sent) expect(s.status).toBe(200);

      const ids = sent.map((s) => s.responseId);
      const replies = await waitFor('five "already working on it" replies', () => {
        const found = w.slack.state.responses.filter((r) => ids.includes(r.id));
        return found.length >= 5 ? found : undefined;
      });
      const requests = await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 10 });
      expect(requests).toHaveLength(1);
      const done = await w.settle(requests[0]!.id);
      expect(done.state).toBe('succeeded');

      expect(w.slack.state.responses.filter((r) => ids.includes(r.id))).toHaveLength(5);
      expect(new Set(replies.map((r) => r.id)).size).toBe(5);
      for (const r of replies)
        expect(text(w, (r.body as { blocks: unknown[] }).blocks)).toContain(
          `I am already working on that: request \`${done.id}\``,
        );
      expect(rootMessages(w, INCIDENT)).toHaveLength(1);
      expect(summariesIn(w, done)).toHaveLength(1);
      expect(associateCalls(w)).toBe(1);
      expect(kinds(await w.bot.store.audit.list(done.id), 'received')).toHaveLength(1);
    });

    it('lets exactly one of an approval and a denial win when they race on two replicas', async () => {
      const w = world();
      const outcomes: string[] = [];
      for (let round = 0; round < 4; round += 1) {
        const request = await askForApproval(w, `race round ${round}`);
        const approver = round % 2 === 0 ? BOB : ERIN;
        const denier = approver === BOB ? ERIN : BOB;
        const approveView = await openModal(w, w.drivers[round % 2]!, approver, request, 'approve');
        const denyView = await openModal(w, w.drivers[(round + 1) % 2]!, denier, request, 'deny');
        const cloudBefore = associateCalls(w);
        const approve = () =>
          w.drivers[round % 2]!.submitView({
            userId: approver,
            viewId: approveView.id,
            values: commentValues('go ahead'),
          });
        const deny = () =>
          w.drivers[(round + 1) % 2]!.submitView({
            userId: denier,
            viewId: denyView.id,
            values: commentValues('not without a ticket'),
          });
        const answers = await Promise.all(round < 2 ? [approve(), deny()] : [deny(), approve()]);
        for (const a of answers) expect(a.answer['response_action']).toBe('update');

        // A denial is final as soon as it is recorded; its card edit is queued just after, so wait for that too.
        await waitFor(`the card of ${request.id} to show the decision`, () =>
          cardOf(w, request).edits > 0 ? true : undefined,
        );
        const done = await w.settle(request.id);
        const events = await w.bot.store.audit.list(request.id);
        const decided = events.filter((e) => e.kind === 'approved' || e.kind === 'denied');
        expect(decided).toHaveLength(1);
        expect(kinds(events, 'refused')).toHaveLength(1);
        const cardText = text(w, cardOf(w, done).blocks);
        if (decided[0]!.kind === 'approved') {
          expect(decided[0]!.actor).toBe(approver);
          expect(done.state).toBe('succeeded');
          expect(associateCalls(w) - cloudBefore).toBe(1);
          expect(summariesIn(w, done)).toHaveLength(1);
          expect(cardText).toContain(`Approved by @${approver === BOB ? 'bob' : 'erin'} at`);
          expect(cardText).not.toContain('Denied');
          expect(kinds(events, 'refused')[0]!.detail).toEqual({ action: 'deny', why: 'no_longer_pending' });
        } else {
          expect(decided[0]!.actor).toBe(denier);
          expect(done.state).toBe('denied');
          expect(associateCalls(w) - cloudBefore).toBe(0);
          expect(summariesIn(w, done)).toEqual([]);
          expect(cardText).toContain(`Denied by @${denier === BOB ? 'bob' : 'erin'} at`);
          expect(cardText).toContain('not without a ticket');
          expect(cardText).not.toContain('Approved');
          expect(kinds(events, 'refused')[0]!.detail).toEqual({ action: 'approve', why: 'no_longer_pending' });
        }
        expect(cardText).not.toContain('[ Approve ]');
        outcomes.push(decided[0]!.kind);
      }
      expect(outcomes).toHaveLength(4);
    });
  });
}

describeReplicas('SQLite (two connections to one file)', sqliteDatabase);

describePostgres('PostgreSQL (TEST_DATABASE_URL)', () => {
  describeReplicas('PostgreSQL (two pools)', postgresDatabase);

  describe('when PostgreSQL stops', () => {
    let schema: TestSchema | undefined;
    let proxy: TcpProxy | undefined;
    let world: DemoWorld | undefined;

    beforeEach(async () => {
      schema = await createTestSchema(databaseUrl);
      const server = new URL(databaseUrl);
      proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
      const proxied = new URL(databaseUrl);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(proxy.port);
      world = await startDemoWorld({ databaseUrl: withSearchPath(proxied.toString(), schema.schema) });
    });

    afterEach(async () => {
      await proxy?.start();
      await world?.stop();
      await proxy?.stop();
      await schema?.drop();
      world = undefined;
      proxy = undefined;
      schema = undefined;
    });

    const health = async (w: DemoWorld) => {
      const res = await fetch(`http://127.0.0.1:${w.bot.port}/readyz`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    it('answers a command with "cannot record requests right now", calls no cloud, and recovers', async () => {
      const w = world!;
      expect((await health(w)).status).toBe(200);
      await proxy!.stop();

      const command = { userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` };
      const sent = await w.driver.slashCommand(command);
      expect(sent.status).toBe(200);
      const [reply] = await ephemeralReplies(w, sent.responseId);
      expect(reply).toContain('The bot cannot record requests right now');
      expect(reply).toContain('nothing was changed');
      expect(associateCalls(w)).toBe(0);
      expect(rootMessages(w, INCIDENT)).toEqual([]);
      expect(w.slack.state.callsOf('chat.postMessage')).toEqual([]);
      expect(await health(w)).toEqual({
        status: 503,
        body: { status: 'degraded', mode: 'http', store: 'unavailable' },
      });
      expect(w.logger.lines.some((l) => l.includes('STORE_UNAVAILABLE'))).toBe(true);

      await proxy!.start();
      await waitFor('the readiness check to pass again', async () =>
        (await health(w)).status === 200 ? true : undefined,
      );
      // Nothing was recorded while the store was away, so nothing can have run unrecorded.
      expect(await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 10 })).toEqual([]);
      const started = Date.now();
      const again = await w.driver.slashCommand(command);
      expect(again.status).toBe(200);
      const request = await w.latestRequest(started);
      const done = await w.settle(request.id);
      expect(done.state).toBe('succeeded');
      expect(associateCalls(w)).toBe(1);
      expect(rootMessages(w, INCIDENT)).toHaveLength(1);
      expect(summariesIn(w, done)).toEqual([`${done.id}: 1 added, 0 failed`]);
      expect(w.slack.state.responses.filter((r) => r.id === again.responseId)).toEqual([]);
    });
  });
});
