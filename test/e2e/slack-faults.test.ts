import { waitFor } from '../../src/demo/wait';
import { ManualClock } from '../helpers/manual-clock';
import { ALICE, DB_DATA_1, ephemeralReplies, INCIDENT, letTimePass, rootMessages, text, useWorld } from './world';

const HOUR = 3_600_000;

/** Slack failing the bot's calls: what must arrive arrives once, and the person hears about what did not. */
describe('when Slack fails', () => {
  const clock = new ManualClock();
  const world = useWorld({ clock, intervals: { outboxMs: HOUR, outboxBackoffMs: [1000] } });

  it('edits the root message once Slack takes chat.update again after a 503', async () => {
    const w = world();
    w.slack.failNext('chat.update', { status: 503 });
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.latestRequest(0);
    await waitFor('the refused edit to wait in the outbox', async () => {
      const [head] = await w.bot.store.outbox.listOpen(request.id);
      return head?.intent.kind === 'root.update' && head.attempts === 1 ? true : undefined;
    });
    const [root] = rootMessages(w, INCIDENT);
    expect(root?.edits).toBe(0);

    await letTimePass(w, clock, 1000);
    const done = await w.settle(request.id);
    expect(done.state).toBe('succeeded');
    expect(rootMessages(w, INCIDENT)).toHaveLength(1);
    expect(root?.edits).toBe(1);
    expect(text(w, root?.blocks ?? [])).toContain('All added');
    expect(w.slack.state.thread(INCIDENT, root?.ts ?? '')).toHaveLength(1);
  });

  it('tells the asker when Slack rate-limits opening the form, and records nothing', async () => {
    const w = world();
    w.slack.failNext('views.open', { status: 429, retryAfterS: 1 });
    const sent = await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: 'associate' });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('Slack is limiting how fast the bot may work right now, so it did not act');
    expect(w.slack.state.views.size).toBe(0);
    expect(await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 5 })).toEqual([]);
  });
});
