import { DEMO_CONFIG_YAML } from '../../src/demo/demo-world';
import { ALICE, DAVE, DB_DATA_1, GENERAL, INCIDENT, ephemeralReplies, rootMessages, text, useWorld } from './world';

/** The demo's rules file without `slack.allowed_team_ids`: the bot serves its token’s workspace only. */
const NO_TEAM_LIST = DEMO_CONFIG_YAML.replace(/slack:\n\s+allowed_team_ids: \[\w+\]\n/, '');
const FOREIGN_TEAM = 'T0FOREIGN1';

describe('without slack.allowed_team_ids, end to end', () => {
  const world = useWorld({ yaml: NO_TEAM_LIST });

  it('serves the workspace auth.test names for the token, and refuses another one before recording anything', async () => {
    const w = world();
    expect(NO_TEAM_LIST).not.toContain('allowed_team_ids');
    const started = Date.now();
    const foreign = await w.driver.slashCommand({
      userId: DAVE,
      channelId: INCIDENT,
      text: `associate daily-7d ${DB_DATA_1}`,
      teamId: FOREIGN_TEAM,
    });
    expect((await ephemeralReplies(w, foreign.responseId))[0]).toContain('Denied by `slack.allowed_team_ids`');
    expect(await w.bot.store.queries.listRequests({ teamId: FOREIGN_TEAM, since: started - 1000, limit: 5 })).toEqual(
      [],
    );

    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.latestRequest(started);
    expect((await w.settle(request.id)).state).toBe('succeeded');
  });

  it('sends another workspace no direct message and no file for /backup audit', async () => {
    const w = world();
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: 'audit',
      teamId: FOREIGN_TEAM,
    });
    expect((await ephemeralReplies(w, sent.responseId))[0]).toContain(
      'This Slack workspace may not use the backup bot',
    );
    const methods = w.slack.state.calls.map((c) => c.method);
    expect(methods).not.toContain('conversations.open');
    expect(methods.filter((m) => m.startsWith('files.'))).toEqual([]);
  });
});

describe('a sandbox bot, end to end', () => {
  const world = useWorld();

  it('marks the root message and the summary in the thread “sandbox: no real cloud”', async () => {
    const w = world();
    const started = Date.now();
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    await w.settle((await w.latestRequest(started)).id);
    const [root] = rootMessages(w, INCIDENT);
    expect(text(w, root!.blocks.slice(0, 1))).toContain('sandbox: no real cloud');
    const [summary] = w.slack.state.thread(INCIDENT, root!.ts);
    expect(text(w, summary!.blocks.slice(0, 1))).toContain('sandbox: no real cloud');
    expect(text(w, summary!.blocks)).toContain('The volume was added to backup policy `daily-7d`.');
  });

  it('marks the approval card', async () => {
    const w = world();
    const started = Date.now();
    await w.driver.slashCommand({ userId: DAVE, channelId: GENERAL, text: `associate weekly-4w ${DB_DATA_1}` });
    const request = await w.settle((await w.latestRequest(started)).id, 10_000, { finalOrWaiting: true });
    expect(request.state).toBe('pending_approval');
    const [card] = rootMessages(w, 'C0APPROVAL');
    expect(text(w, card!.blocks.slice(0, 1))).toContain('sandbox: no real cloud');
  });
});
