import {
  ALICE,
  CAROL,
  DAILY_7D,
  DAVE,
  DB_DATA_1,
  DB_DATA_2,
  GENERAL,
  INCIDENT,
  PRIVATE_WITHOUT_BOT,
  PROJECT,
  associateCalls,
  ephemeralReplies,
  rootMessages,
  text,
  useWorld,
} from './world';
import { DEMO_CONFIG_YAML } from '../../src/demo/demo-world';

describe('/backup associate over HTTP, end to end (Bolt app, signed requests, Slack stand-in, OTC sandbox)', () => {
  const world = useWorld();

  it('acks, posts a root message, adds the volumes, replies in the thread and edits the root message', async () => {
    const w = world();
    const started = Date.now();
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: `associate daily-7d ${DB_DATA_1}, db-data-2 --reason "INC-4711 db disks"`,
    });
    expect(sent.status).toBe(200);
    const request = await w.latestRequest(started);
    const done = await w.settle(request.id);
    expect(done.state).toBe('succeeded');

    const [root, ...others] = rootMessages(w, INCIDENT);
    expect(others).toEqual([]);
    const rootText = text(w, root!.blocks);
    expect(rootText).toContain('All added (2 of 2 added)');
    expect(rootText).toContain('@alice asks to add 2 volumes to backup policy `daily-7d` in project `prod`.');
    expect(rootText).toContain('Reason: INC-4711 db disks');
    expect(rootText).toContain(`Request \`${request.id}\``);
    expect(root!.edits).toBe(1);

    const thread = w.slack.state.thread(INCIDENT, root!.ts);
    expect(thread).toHaveLength(1);
    const summary = text(w, thread[0]!.blocks);
    expect(summary).toContain('All 2 volumes added to backup policy `daily-7d`.');
    expect(summary).toMatch(new RegExp(`\`db-data-1\` \`${DB_DATA_1}\` · eu-de-01 · pod01\\.eu-de-01`));
    expect(summary).toContain(`\`db-data-2\` \`${DB_DATA_2}\``);
    expect(summary).toContain('any volume above that was in another policy has been moved to this one');
    expect(summary).toMatch(/Took .* · request `r-[a-z2-9]{8}`/);

    expect(w.sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBe(DAILY_7D);
    expect(w.sandbox.state.policyOfVolume(PROJECT, DB_DATA_2)).toBe(DAILY_7D);
    expect(associateCalls(w)).toBe(1);
    expect(w.slack.state.responses).toEqual([]);
  });

  it('records the request, its decision, the cloud call and the posted messages in the audit trail', async () => {
    const w = world();
    const started = Date.now();
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.settle((await w.latestRequest(started)).id);
    const audit = await w.bot.store.audit.list(request.id);
    expect(audit.map((e) => e.kind)).toEqual([
      'received',
      'decided',
      'message_posted',
      'started',
      'cloud_call',
      'finished',
      'message_posted',
      'message_posted',
    ]);
    // The summary and the root's edit: a summary short enough to list every volume owes no CSV file.
    expect(audit.slice(-2).map((e) => e.detail['kind'])).toEqual(['thread.summary', 'root.update']);
    expect(audit[1]!.detail).toMatchObject({ verdict: 'allow', rule: 'sre-oncall' });
    expect(JSON.stringify(audit)).not.toContain(w.slack.botToken);
  });

  it('answers help and a bare /backup with usage, ephemerally', async () => {
    const w = world();
    for (const t of ['help', '']) {
      const sent = await w.driver.slashCommand({ userId: DAVE, channelId: GENERAL, text: t });
      const [reply] = await ephemeralReplies(w, sent.responseId);
      expect(reply).toContain(
        '/backup associate <policy> <volume>... [--server NAME] [--project NAME] [--reason TEXT] [--now] [--move] [--dry-run]',
      );
      expect(reply).toContain('/backup associate    opens a form');
    }
    expect(rootMessages(w, GENERAL)).toEqual([]);
  });

  it.each([
    ['an unknown flag', 'associate daily-7d db-data-2 --force', /`--force` is not an option/],
    ['a volume id that is not a UUID', 'associate daily-7d 0f187b65-8d0e-4fc0', /is not a valid volume id/],
    ['an unknown volume name', 'associate daily-7d db-data-2 no-such-disk', /No volume is named `no-such-disk`/],
    ['a name two volumes share', 'associate daily-7d scratch', /2 volumes are named `scratch`; name one by its id/],
    ['a disk in an error state', 'associate daily-7d db-data-3', /is in status `error`/],
    [
      'an unknown policy',
      'associate daily-8d db-data-2',
      /There is no backup policy named `daily-8d`\. Did you mean `daily-7d`/,
    ],
    ['an unknown project', 'associate daily-7d db-data-2 --project qa', /There is no project `qa`/],
  ])('refuses %s ephemerally, posts nothing and changes nothing in the cloud', async (_what, command, message) => {
    const w = world();
    const sent = await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: command });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toMatch(/Nothing was changed/);
    expect(reply).toMatch(message);
    expect(rootMessages(w, INCIDENT)).toEqual([]);
    expect(associateCalls(w)).toBe(0);
  });

  it('denies a guest even in an incident channel', async () => {
    const w = world();
    const sent = await w.driver.slashCommand({
      userId: CAROL,
      channelId: INCIDENT,
      text: 'associate daily-7d db-data-2',
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('guest accounts only match rules that name their user id');
    expect(associateCalls(w)).toBe(0);
  });

  it('lets anyone in an inc-* channel add up to 10 volumes to a daily-* policy, naming the rule', async () => {
    const w = world();
    const started = Date.now();
    await w.driver.slashCommand({ userId: DAVE, channelId: INCIDENT, text: 'associate daily-7d db-data-2' });
    const request = await w.settle((await w.latestRequest(started)).id);
    expect(request.decision.decidedBy).toBe('incident-self-service');
    expect(text(w, rootMessages(w, INCIDENT)[0]!.blocks)).toContain('rule `incident-self-service`');
  });

  it('denies a request from a workspace not in allowed_team_ids', async () => {
    const w = world();
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: 'associate daily-7d db-data-2',
      teamId: 'T0ELSEWHERE',
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('Denied by `slack.allowed_team_ids`');
    expect(associateCalls(w)).toBe(0);
  });

  it('shows a dry run with the deciding rule and writes nothing', async () => {
    const w = world();
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: `associate daily-7d ${DB_DATA_1} db-data-2 --dry-run`,
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('Dry run: nothing was changed. This is what the request would do:');
    expect(reply).toContain('Policy `daily-7d`');
    expect(reply).toContain('2 volumes will be added:');
    expect(reply).toContain('Allowed by rule `sre-oncall`: you are in @sre-oncall.');
    expect(associateCalls(w)).toBe(0);
    expect(await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 5 })).toEqual([]);
  });

  it('tells the user how to invite the bot when it cannot post in a private channel', async () => {
    const w = world();
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: PRIVATE_WITHOUT_BOT,
      text: 'associate daily-7d db-data-2',
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('/invite @OTC Backup');
    expect(associateCalls(w)).toBe(0);
    expect(w.slack.state.messages).toEqual([]);
  });

  it('mentions removed duplicates to the asker and counts them once', async () => {
    const w = world();
    const started = Date.now();
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: `associate daily-7d db-data-2 db-data-2 ${DB_DATA_1} db-data-1`,
    });
    const request = await w.settle((await w.latestRequest(started)).id);
    expect(request.volumes.map((v) => v.id)).toEqual([DB_DATA_2, DB_DATA_1]);
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('Named more than once, counted once: db-data-2.');
    expect(reply).toContain(`\`db-data-1\` and \`${DB_DATA_1}\` are the same volume; counted once.`);
  });
});

describe('/backup associate without a catch-all approval rule', () => {
  const world = useWorld({ yaml: DEMO_CONFIG_YAML.replace(/^.*others-need-approval.*$/m, '') });

  it('denies someone no rule allows, naming the deciding rule, and changes nothing', async () => {
    const w = world();
    const sent = await w.driver.slashCommand({
      userId: DAVE,
      channelId: GENERAL,
      text: 'associate daily-7d db-data-2',
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('Denied by `no matching rule (deny)`');
    expect(reply).toContain('sre-oncall: you are not in @sre-oncall');
    expect(reply).toContain('incident-self-service: this channel is not inc-∗');
    expect(rootMessages(w, GENERAL)).toEqual([]);
    expect(associateCalls(w)).toBe(0);
  });
});

describe('/backup associate --server and rules that need a reason', () => {
  const world = useWorld({
    yaml: DEMO_CONFIG_YAML.replace(
      'max_volumes: 10, decision: allow }',
      'max_volumes: 10, decision: allow, require_reason: true }',
    ),
  });

  it('adds every volume of a server, shown in the dry run and frozen into the request', async () => {
    const w = world();
    const dry = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: 'associate daily-7d --server web-01 --dry-run',
    });
    const [preview] = await ephemeralReplies(w, dry.responseId);
    expect(preview).toContain('2 volumes will be added:');
    expect(preview).toContain('web-01-root');
    expect(preview).toContain('web-01-data');
    expect(preview).toContain('Server `web-01` added 2 volume(s)');
    const started = Date.now();
    await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: 'associate daily-7d db-data-1 --server web-01',
    });
    const request = await w.settle((await w.latestRequest(started)).id);
    expect(request.volumes.map((v) => v.name)).toEqual(['db-data-1', 'web-01-data', 'web-01-root']);
  });

  it('says so when no server has that name', async () => {
    const w = world();
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: 'associate daily-7d --server web-99',
    });
    expect((await ephemeralReplies(w, sent.responseId))[0]).toContain('No server is named `web-99` in this project.');
    expect(associateCalls(w)).toBe(0);
  });

  it('asks for a reason when the deciding rule requires one', async () => {
    const w = world();
    const sent = await w.driver.slashCommand({
      userId: DAVE,
      channelId: INCIDENT,
      text: 'associate daily-7d db-data-2',
    });
    expect((await ephemeralReplies(w, sent.responseId))[0]).toContain(
      'Rule `incident-self-service` needs a reason: add --reason',
    );
    expect(associateCalls(w)).toBe(0);
    const started = Date.now();
    await w.driver.slashCommand({
      userId: DAVE,
      channelId: INCIDENT,
      text: 'associate daily-7d db-data-2 --reason INC-4711',
    });
    expect((await w.settle((await w.latestRequest(started)).id)).state).toBe('succeeded');
  });
});

describe('/backup over HTTP and the pacing of the work after answers', () => {
  // An ack keeps the paced work at one step a turn for the whole test.
  const world = useWorld({ intervals: { answeringQuietMs: 3_600_000 } });

  it('tells the paced work that Slack is being answered when it answers a command', async () => {
    const w = world();
    expect(w.bot.bot.pacing.answering).toBe(false);
    const sent = await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: 'help' });
    expect(sent.status).toBe(200);
    expect(w.bot.bot.pacing.answering).toBe(true);
  });
});
