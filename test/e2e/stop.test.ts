import { waitFor } from '../../src/demo/wait';
import { ManualClock } from '../helpers/manual-clock';
import { ALICE, associateWithRootOut, DB_DATA_1, INCIDENT, rootMessages, useWorld } from './world';

const HOUR = 3_600_000;
/** How long a stop waits for the work under way, here; the claims left are then given back. */
const STOP_DRAIN_MS = 100;
/** Slack answers the retried summary this late: well after the stop has given up waiting for it. */
const LATE_MS = 4_000;

/**
 * A stop does not wait without end for the retry pass under way, and a message the bot claimed but
 * had not sent by then is given back: the next start, or another replica, sends it at once instead of
 * after the claim's lease.
 */
describe('a stop while a retried Slack message is slow', () => {
  const clock = new ManualClock();
  const world = useWorld({ clock, stopDrainMs: STOP_DRAIN_MS, intervals: { outboxMs: HOUR, outboxBackoffMs: [1000] } });

  it('returns before the slow post is answered, and leaves the messages behind it unclaimed', async () => {
    const w = world();
    const request = await associateWithRootOut(w);
    w.slack.failNext('chat.postMessage', { status: 503 });
    const open = () => w.bot.store.outbox.listOpen(request.id);
    await waitFor('the summary to wait in the outbox, the root edit behind it', async () => {
      const kinds = (await open()).map((m) => `${m.intent.kind}:${m.attempts}`);
      return kinds.join() === 'thread.summary:1,root.update:0' ? true : undefined;
    });

    // The retry pass sends the summary again; Slack is slow to answer it.
    w.slack.failNext('chat.postMessage', { lateMs: LATE_MS });
    const posts = w.slack.state.callsOf('chat.postMessage').length;
    clock.advance(1000);
    const retryPass = w.bot.bot.scheduler()!.runAll();
    await waitFor('the retried summary to reach Slack', () =>
      w.slack.state.callsOf('chat.postMessage').length > posts ? true : undefined,
    );
    await w.bot.bot.stop();
    // Stopped without waiting for the answer: the summary is still claimed, under way.
    expect(await open()).toMatchObject([
      { intent: { kind: 'thread.summary' }, claims: 2 },
      { intent: { kind: 'root.update' }, claims: 0 },
    ]);
    const edits = w.slack.state.callsOf('chat.update').length;

    await retryPass;
    await waitFor('the slow answer, recorded', async () =>
      (await open()).every((m) => m.intent.kind !== 'thread.summary') ? true : undefined,
    );
    // The stopped bot claimed nothing after it, and sent nothing more: the root edit is for whoever
    // delivers next, at once (its claim count says no one attempted it).
    expect(await open()).toMatchObject([{ intent: { kind: 'root.update' }, claims: 0, attempts: 0 }]);
    expect(w.slack.state.callsOf('chat.update')).toHaveLength(edits);
    expect(w.slack.state.thread(INCIDENT, rootMessages(w, INCIDENT)[0]?.ts ?? '')).toHaveLength(1);
  });
});

/** The cloud answers the associate this late: well after the stop has given up waiting for it. */
const CLOUD_LATE_MS = 5_000;

describe('a stop while a request is running', () => {
  const clock = new ManualClock();
  const world = useWorld({ clock, stopDrainMs: STOP_DRAIN_MS, intervals: { resumeMs: HOUR } });

  it('gives the run back: nothing recorded or posted for it, and it can be resumed at once', async () => {
    const w = world();
    w.sandbox.faults.inject('vbs.associate', { latencyMs: CLOUD_LATE_MS, times: 1 });
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.latestRequest(0);
    await waitFor('the run', async () =>
      (await w.bot.store.requests.get(request.id))?.state === 'running' ? true : undefined,
    );
    await w.bot.bot.stop();
    await waitFor('the stopped runner to give the run back', () =>
      w.logger.lines.some((l) => l.includes('handed over a run:')) ? true : undefined,
    );
    expect(await w.bot.store.requests.get(request.id)).toMatchObject({ state: 'running', outcome: undefined });
    expect(w.logger.lines.filter((l) => l.includes('the run was given up here'))).toHaveLength(1);
    // Resumable now, not after the lease: the clock has not moved.
    const stale = await w.bot.store.queries.listStaleRunning(clock.now(), 10);
    expect(stale.map((r) => r.id)).toEqual([request.id]);
    // Nothing was summarised: the volume was not "not sent", it is still to be added.
    const root = rootMessages(w, INCIDENT)[0];
    expect(w.slack.state.thread(INCIDENT, root?.ts ?? '')).toEqual([]);
    expect(await w.bot.store.outbox.listOpen(request.id)).toEqual([]);
  });
});

/** The cloud answers the command's look-up this late: the stop begins while the command is being checked. */
const LOOKUP_LATE_MS = 1_000;

describe('a stop while a command is being checked', () => {
  const world = useWorld({});

  it('waits for it: the request is recorded, runs and is summarised before the stop returns', async () => {
    const w = world();
    w.sandbox.faults.inject('evs.volumes.detail', { latencyMs: LOOKUP_LATE_MS, times: 1 });
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    // Acked at once; the look-up is under way.
    const listed = () => w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 5 });
    expect(await listed()).toEqual([]);
    await w.bot.bot.stop();
    const [request] = await listed();
    expect(request?.state).toBe('succeeded');
    expect(w.slack.state.thread(INCIDENT, rootMessages(w, INCIDENT)[0]?.ts ?? '')).toHaveLength(1);
    expect(w.logger.lines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });
});
