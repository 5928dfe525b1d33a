import { sampleSum, scrapeMetrics } from '../helpers/metrics';
import { signSlackRequest } from '../../src/demo/slack-driver';
import { waitFor } from '../../src/demo/wait';
import { seededVolumeIds } from '../../src/sandbox';
import { ManualClock } from '../helpers/manual-clock';
import {
  ALICE,
  DB_DATA_1,
  INCIDENT,
  PROJECT,
  associateCalls,
  ephemeralReplies,
  letTimePass,
  rootMessages,
  text,
  useWorld,
} from './world';

describe('bad input and attacks against the HTTP endpoint', () => {
  const world = useWorld();

  function commandBody(): string {
    const w = world();
    return w.driver.slashCommandBody(
      { userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` },
      w.slack.newResponseUrl(),
    );
  }

  function nothingHappened(): void {
    const w = world();
    expect(w.slack.state.calls.map((c) => c.method)).toEqual(['auth.test']);
    expect(w.slack.state.responses).toEqual([]);
    expect(associateCalls(w)).toBe(0);
  }

  it('answers 401 to a forged signature and does nothing', async () => {
    const res = await world().driver.post(commandBody(), { signature: `v0=${'0'.repeat(64)}` });
    expect(res.status).toBe(401);
    nothingHappened();
  });

  it('answers 401 to a body signed with another secret', async () => {
    const body = commandBody();
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await world().driver.post(body, {
      timestamp: ts,
      signature: signSlackRequest('not-the-secret', ts, body),
    });
    expect(res.status).toBe(401);
    nothingHappened();
  });

  it('answers 401 to a correctly signed request more than five minutes old (a replay)', async () => {
    const res = await world().driver.post(commandBody(), { timestamp: String(Math.floor(Date.now() / 1000) - 6 * 60) });
    expect(res.status).toBe(401);
    nothingHappened();
  });

  it('answers 401 to a correctly signed request more than five minutes in the future', async () => {
    const res = await world().driver.post(commandBody(), { timestamp: String(Math.floor(Date.now() / 1000) + 6 * 60) });
    expect(res.status).toBe(401);
    nothingHappened();
  });

  it('runs one request for a double submit and tells the second click it is already under way', async () => {
    const w = world();
    const input = { userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1} --reason "INC-1"` };
    const [first, second] = await Promise.all([w.driver.slashCommand(input), w.driver.slashCommand(input)]);
    const requests = await waitFor('the request', async () => {
      const found = await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 10 });
      return found.length > 0 ? found : undefined;
    });
    await w.settle(requests[0]!.id);
    expect(requests).toHaveLength(1);
    const replies = [...w.slack.state.responses.filter((r) => r.id === first.responseId || r.id === second.responseId)];
    expect(replies).toHaveLength(1);
    expect(text(w, (replies[0]!.body as { blocks: unknown[] }).blocks)).toContain(
      `I am already working on that: request \`${requests[0]!.id}\``,
    );
    expect(rootMessages(w, INCIDENT)).toHaveLength(1);
    expect(associateCalls(w)).toBe(1);
  });

  it('shows mentions and markup in a reason as text, pings nobody, and cuts a 5,000-character reason', async () => {
    const w = world();
    const reason = `<!channel> <@U0BOB00001> R&D <b> ${'x'.repeat(5000)}`;
    await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: `associate daily-7d ${DB_DATA_1} --reason "${reason}"`,
    });
    const request = await w.latestRequest(0);
    await w.settle(request.id);
    const [root] = rootMessages(w, INCIDENT);
    const raw = JSON.stringify(root!.blocks);
    expect(raw).not.toContain('<!channel>');
    expect(raw).not.toContain('<@U0BOB00001>');
    expect(raw).toContain('&lt;!channel&gt; &lt;@U0BOB00001&gt; R&amp;D &lt;b&gt;');
    expect(raw).not.toContain('x'.repeat(400));
    expect(raw).toContain('…');
    expect(request.reason!.length).toBe(2000);
  });
});

/** Three sends a few milliseconds apart: the retries are the cloud client's, the waits are not the test's. */
const QUICK_RETRY = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 };
const HOUR = 3_600_000;

describe('when the cloud or the store fails', () => {
  const world = useWorld({ cloudRetry: QUICK_RETRY });

  it('marks the request failed and explains in words when the cloud keeps answering 503', async () => {
    const w = world();
    w.sandbox.faults.inject('vbs.associate', { status: 503, times: Infinity });
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.settle((await w.latestRequest(0)).id);
    expect(request.state).toBe('failed');
    expect(associateCalls(w)).toBe(QUICK_RETRY.maxAttempts);
    const [root] = rootMessages(w, INCIDENT);
    expect(text(w, root!.blocks)).toContain('Failed (0 added, 1 failed)');
    const summary = text(w, w.slack.state.thread(INCIDENT, root!.ts)[0]!.blocks);
    expect(summary).toContain('No volume was added to backup policy `daily-7d`');
    expect(summary).toContain('`HTTP 503`');
    expect(summary).toContain('The cloud had an internal error. Asking again is safe');
    expect(w.logger.lines.some((l) => l.includes('"associate call failed"') && l.includes('"status":503'))).toBe(true);
  });

  it('marks the request failed and says the cloud could not be reached when every associate call loses its connection', async () => {
    const w = world();
    w.sandbox.faults.inject('vbs.associate', { drop: true, times: Infinity });
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.settle((await w.latestRequest(0)).id);
    expect(request.state).toBe('failed');
    expect(request.outcome!.added).toEqual([]);
    expect(request.outcome!.failed.map((f) => [f.volumeId, f.code])).toEqual([[DB_DATA_1, 'OTC_NETWORK']]);
    const [root] = rootMessages(w, INCIDENT);
    expect(text(w, root!.blocks)).toContain('Failed (0 added, 1 failed)');
    const summary = text(w, w.slack.state.thread(INCIDENT, root!.ts)[0]!.blocks);
    expect(summary).toContain('No volume was added to backup policy `daily-7d`');
    expect(summary).toContain('`OTC_NETWORK`');
    expect(summary).toContain("The cloud's answer did not arrive, so the volume may or may not have been added.");
    expect(associateCalls(w)).toBe(QUICK_RETRY.maxAttempts);
    expect(w.sandbox.requests.filter((r) => r.route === 'vbs.associate').every((r) => r.status === 0)).toBe(true);
    expect(w.sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBeUndefined();
    expect(
      w.logger.lines.some((l) => l.includes('"associate call failed"') && l.includes('"code":"OTC_NETWORK"')),
    ).toBe(true);
  });

  it('marks the request failed with the permission hint when VBS answers 403, without retrying', async () => {
    const w = world();
    w.sandbox.faults.inject('vbs.associate', { status: 403 });
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.settle((await w.latestRequest(0)).id);
    expect(request.state).toBe('failed');
    const [root] = rootMessages(w, INCIDENT);
    const summary = text(w, w.slack.state.thread(INCIDENT, root!.ts)[0]!.blocks);
    expect(summary).toContain('`AutoBackup.0213` The request is not authorized.');
    expect(summary).toContain('An administrator must grant VBS rights');
    expect(associateCalls(w)).toBe(1);
    expect(w.logger.lines.some((l) => l.includes('"otcCode":"AutoBackup.0213"'))).toBe(true);
  });

  it('puts the first lines in the thread and the full list in a CSV file above the inline limit', async () => {
    const w = world();
    const project = w.sandbox.projects[0]!.id;
    const usable = w.sandbox.state
      .listVolumes(project)
      .filter((v) => ['in-use', 'available'].includes(v.status) && !v.name.startsWith('scratch'))
      .map((v) => v.id);
    expect(usable.length).toBeGreaterThan(30);
    await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: `associate daily-30d ${usable.join(' ')}`,
    });
    const request = await w.settle((await w.latestRequest(0)).id, 20_000);
    const [root] = rootMessages(w, INCIDENT);
    const thread = w.slack.state.thread(INCIDENT, root!.ts);
    expect(thread).toHaveLength(1);
    expect(text(w, thread[0]!.blocks)).toContain(`the full list of all ${usable.length} is in the attached CSV file`);
    const [file] = w.slack.state.files;
    expect(file).toMatchObject({ channel: INCIDENT, threadTs: root!.ts, filename: `${request.id}-summary.csv` });
    const rows = file!.content!.trim().split('\r\n');
    expect(rows[0]).toBe(
      '"request_id","volume_id","name","result","availability_zone","pod","code","message","moved_vault"',
    );
    expect(rows).toHaveLength(usable.length + 1);
    const hana = seededVolumeIds('sap-hana-data-1')[0]!;
    expect(rows.find((r) => r.includes(hana))).toContain(',"failed",');
  });

  it('says so ephemerally, with the code, and records nothing when the cloud is down during the look-ups', async () => {
    const w = world();
    w.sandbox.faults.inject('vbs.policies.list', { status: 502, times: Infinity });
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: `associate daily-7d ${DB_DATA_1}`,
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain("The cloud did not answer the bot's look-up (APIGW.0202), so nothing was changed.");
    expect(rootMessages(w, INCIDENT)).toEqual([]);
    expect(await w.bot.store.queries.listRequests({ teamId: w.workspace.teamId, since: 0, limit: 5 })).toEqual([]);
    expect(w.logger.lines.some((l) => l.includes('"request failed"') && l.includes('"code":"OTC_HTTP"'))).toBe(true);
  });

  it('serves GET /healthz (alive) and GET /readyz (can serve)', async () => {
    const base = `http://127.0.0.1:${world().bot.port}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ok', mode: 'http' });
  });

  it('answers the user in one safe sentence when the store cannot be reached, and /metrics still answers', async () => {
    const w = world();
    expect(sampleSum(await scrapeMetrics(w.bot.port), 'backup_bot_store_up')).toBe(1);
    await w.bot.store.close();
    const sent = await w.driver.slashCommand({
      userId: ALICE,
      channelId: INCIDENT,
      text: `associate daily-7d ${DB_DATA_1}`,
    });
    const [reply] = await ephemeralReplies(w, sent.responseId);
    expect(reply).toContain('The bot cannot record requests right now, so it did not act: nothing was changed.');
    expect(associateCalls(w)).toBe(0);
    // The command is counted as failed; the gauges read from the store are unknown, the rest is there.
    const m = await scrapeMetrics(w.bot.port);
    expect(sampleSum(m, 'backup_bot_commands_total', 'subcommand="associate"', 'outcome="error"')).toBe(1);
    expect(sampleSum(m, 'backup_bot_store_up')).toBe(0);
    expect(sampleSum(m, 'backup_bot_approvals_pending')).toBeNaN();
    expect(sampleSum(m, 'backup_bot_outbox_backlog')).toBeNaN();
    expect(m.has('process_cpu_user_seconds_total')).toBe(true);
  });
});

describe('when Slack rate-limits the bot', () => {
  // Slack's Retry-After (30 s) on the bot's clock, which the test moves; the outbox loop is left
  // to the test's own scheduler runs, so every attempt is one the test made happen.
  const clock = new ManualClock();
  const world = useWorld({ clock, intervals: { outboxMs: HOUR } });

  it('posts from the outbox once Retry-After has passed, not before, and the summary follows once', async () => {
    const w = world();
    w.slack.failNext('chat.postMessage', { status: 429, retryAfterS: 30 }, 2);
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.latestRequest(0);
    const refused = await waitFor('the refused root message to wait in the outbox', async () => {
      const [head] = await w.bot.store.outbox.listOpen(request.id);
      return head?.intent.kind === 'root.post' && head.attempts === 1 ? head : undefined;
    });
    // Retry-After is a floor over the outbox's own first backoff (300 ms here).
    expect(refused.nextAttemptAt).toBe(clock.now() + 30_000);
    const posts = () => w.slack.state.callsOf('chat.postMessage').length;
    expect(posts()).toBe(1);

    await letTimePass(w, clock, 30_000 - 1);
    expect(posts()).toBe(1);
    await letTimePass(w, clock, 1);
    expect(posts()).toBe(2);
    expect(rootMessages(w, INCIDENT)).toEqual([]);
    await letTimePass(w, clock, 30_000);

    const done = await w.settle(request.id);
    expect(done.state).toBe('succeeded');
    const roots = rootMessages(w, INCIDENT);
    expect(roots).toHaveLength(1);
    expect(text(w, roots[0]!.blocks)).toContain('All added');
    expect(w.slack.state.thread(INCIDENT, roots[0]!.ts)).toHaveLength(1);
    expect(posts()).toBe(4);
    // The root message went out after the request finished, showing its end: the edit owed for that
    // end would have sent the same text again, and is not made.
    expect(w.slack.state.callsOf('chat.update')).toHaveLength(0);
    const delivered = (await w.bot.store.audit.list(request.id)).filter((e) => e.kind === 'message_posted');
    expect(delivered.map((e) => e.detail)).toEqual([
      { kind: 'root.post', coveredEdits: 1 },
      { kind: 'thread.summary' },
    ]);
    expect(await w.bot.store.outbox.listOpen(request.id)).toEqual([]);
  });
});
