import { waitFor } from '../../src/demo/wait';
import { ManualClock } from '../helpers/manual-clock';
import { ALICE, associateWithRootOut, DB_DATA_1, INCIDENT, letTimePass, rootMessages, text, useWorld } from './world';

const HOUR = 3_600_000;

/**
 * Slack accepts a post but its answer comes after the bot's client gave up (here: 2.5 s late
 * against a 1 s timeout). The message exists; the bot does not know it. Retrying must not post
 * it again: the outbox retries, and the deliverer finds the first post by its metadata.
 */
const SLACK_TIMEOUT_MS = 1000;
const LATE_MS = 2500;

describe('a post Slack accepted but answered too late', () => {
  const clock = new ManualClock();
  // Every Slack call of the bot gives up after SLACK_TIMEOUT_MS; the late answers below come well after
  // it. The budget is wide enough that no other call (users.info, conversations.info on the way to
  // the record) runs out of it on a loaded machine: at 100 ms they did, and the request was never recorded.
  const world = useWorld({
    clock,
    slackTimeoutMs: SLACK_TIMEOUT_MS,
    intervals: { outboxMs: HOUR, outboxBackoffMs: [1000] },
  });

  it.each([
    ['a channel it is in', INCIDENT, []],
    ['a public channel it only posted in (reading it needs membership: it joins first)', 'C0INC4712', ['C0INC4712']],
  ])(
    'leaves one root message in %s: the retry finds it and adopts it instead of posting again',
    async (_where, channel, joined) => {
      const w = world();
      w.slack.failNext('chat.postMessage', { lateMs: LATE_MS });
      await w.driver.slashCommand({ userId: ALICE, channelId: channel, text: `associate daily-7d ${DB_DATA_1}` });
      const request = await w.latestRequest(0);
      await waitFor('the root post to time out and wait in the outbox', async () => {
        const [head] = await w.bot.store.outbox.listOpen(request.id);
        return head?.intent.kind === 'root.post' && head.attempts === 1 ? true : undefined;
      });
      expect(rootMessages(w, channel)).toHaveLength(1);

      await letTimePass(w, clock, 1000);
      const done = await w.settle(request.id);
      expect(done.state).toBe('succeeded');
      const roots = rootMessages(w, channel);
      expect(roots).toHaveLength(1);
      expect(done.rootMessage?.ts).toBe(roots[0]?.ts);
      expect(text(w, roots[0]?.blocks ?? [])).toContain('All added');
      expect(w.slack.state.thread(channel, roots[0]?.ts ?? '')).toHaveLength(1);
      // The retry looked before posting (on a loaded machine another call may time out too, and be
      // looked for as well: the messages above are what must hold).
      expect(w.slack.state.callsOf('conversations.history').length).toBeGreaterThanOrEqual(1);
      expect(w.slack.state.callsOf('conversations.join').map((c) => c.args['channel'])).toEqual(joined);
    },
  );

  it('leaves one summary in the thread when the summary post is the one answered late', async () => {
    const w = world();
    const request = await associateWithRootOut(w);
    w.slack.failNext('chat.postMessage', { lateMs: LATE_MS });
    await waitFor('the summary post to time out and wait in the outbox', async () => {
      const [head] = await w.bot.store.outbox.listOpen(request.id);
      return head?.intent.kind === 'thread.summary' && head.attempts === 1 ? true : undefined;
    });

    await letTimePass(w, clock, 1000);
    const done = await w.settle(request.id);
    const root = rootMessages(w, INCIDENT)[0];
    expect(done.state).toBe('succeeded');
    expect(w.slack.state.thread(INCIDENT, root?.ts ?? '')).toHaveLength(1);
    expect(w.slack.state.callsOf('conversations.replies').length).toBeGreaterThanOrEqual(1);
  });

  it('posts again when the look-up finds nothing: a refused post is not mistaken for a delivered one', async () => {
    const w = world();
    w.slack.failNext('chat.postMessage', { status: 503 });
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.latestRequest(0);
    await waitFor('the refused root post to wait in the outbox', async () => {
      const [head] = await w.bot.store.outbox.listOpen(request.id);
      return head?.intent.kind === 'root.post' && head.attempts === 1 ? true : undefined;
    });
    expect(rootMessages(w, INCIDENT)).toHaveLength(0);

    await letTimePass(w, clock, 1000);
    await w.settle(request.id);
    expect(rootMessages(w, INCIDENT)).toHaveLength(1);
    expect(w.slack.state.callsOf('conversations.history').length).toBeGreaterThanOrEqual(1);
  });
});
