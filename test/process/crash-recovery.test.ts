import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { BackupRequest } from '../../src/domain/backup-request';
import type { RequestStore } from '../../src/store/request-store';
import { waitFor } from '../../src/demo/wait';
import { isFinal } from '../../src/domain/request-state';
import { spawnBotProcess } from '../helpers/bot-process';
import {
  ALICE,
  ALLOW_SRE,
  APPROVALS,
  ASK_APPROVAL,
  DAILY_7D,
  DB_DATA_1,
  GENERAL,
  INCIDENT,
  PROJECT,
  associateCalls,
  auditTrail,
  deploymentEnv,
  deploymentYaml,
  dir,
  openTestStore,
  sandbox,
  settled,
  signingSecret,
  slack,
  slashCommand,
  startBot,
  text,
  startWaitingForApproval,
  useProcessWorld,
  waitForRequest,
} from './harness';

useProcessWorld();

/**
 * Alice asks to add db-data-1 to daily-7d; the sandbox holds the associate call for 30 s, and the
 * bot is SIGKILLed while the request is `running`. Waits until the dead runner's claim expired.
 */
async function killWhileRunning(): Promise<{ db: RequestStore; request: BackupRequest }> {
  const { bot: first, port } = await startBot('first bot', ALLOW_SRE);
  const db = await openTestStore();
  sandbox.faults.inject('vbs.associate', { latencyMs: 30_000 });
  const since = Date.now();
  await slashCommand(port, ALICE, INCIDENT, `associate daily-7d ${DB_DATA_1}`);
  const running = await waitForRequest(db, 'to be running', since, (r) => r.state === 'running');
  await waitFor('the associate call to reach the cloud', () =>
    sandbox.faults.pending('vbs.associate') === 0 ? true : undefined,
  );

  expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
  expect((await db.requests.get(running.id))!.state).toBe('running');
  expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBeUndefined();
  // The dead runner's claim (run_lease: 300ms) runs out; a bot started after that resumes at once.
  await waitFor('the dead runner’s claim to expire', async () =>
    (await db.queries.listStaleRunning(Date.now(), 10)).some((r) => r.id === running.id) ? true : undefined,
  );
  return { db, request: running };
}

describe('the bot process, killed and restarted', () => {
  it('finishes a request that was running when the bot was killed, after a restart, and reports it once', async () => {
    const { db, request } = await killWhileRunning();

    const { bot: second } = await startBot('second bot', ALLOW_SRE);
    const done = await waitForRequest(db, 'to finish after the restart', request.createdAt, (r) => settled(db, r));
    expect(done.id).toBe(request.id);
    expect(done.state).toBe('succeeded');
    expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBe(DAILY_7D);

    const roots = slack.state.channelMessages(INCIDENT);
    expect(roots).toHaveLength(1);
    const [root] = roots;
    expect(text(root!)).toContain('All added');
    expect(root!.edits).toBeGreaterThanOrEqual(1);
    const thread = slack.state.thread(INCIDENT, root!.ts);
    expect(thread).toHaveLength(1);
    expect(text(thread[0]!)).toContain('added to backup policy `daily-7d`');
    expect(text(thread[0]!)).toContain(DB_DATA_1);

    expect(await auditTrail(db, request)).toContain('resumed');
    await second.waitForLog(
      'that it resumed the request',
      (r) => r['msg'] === 'resuming a request whose runner stopped' && r['requestId'] === request.id,
    );
  });

  it('expires a request whose approval deadline passed while the bot was down, and says so', async () => {
    const { bot: first, db, pending } = await startWaitingForApproval(ASK_APPROVAL);
    const since = pending.createdAt;
    expect(slack.state.channelMessages(APPROVALS)).toHaveLength(1);
    await first.kill('SIGKILL');

    const deadline = pending.approval!.expiresAt;
    await waitFor('the approval deadline to pass', () => (Date.now() > deadline ? true : undefined));
    expect((await db.requests.get(pending.id))!.state).toBe('pending_approval');

    await startBot('second bot', ASK_APPROVAL);
    const done = await waitForRequest(db, 'to expire after the restart', since, (r) => settled(db, r));
    expect(done.id).toBe(pending.id);
    expect(done.state).toBe('expired');

    const [card, ...moreCards] = slack.state.channelMessages(APPROVALS);
    expect(moreCards).toEqual([]);
    expect(text(card!)).toContain('Expired');
    expect(JSON.stringify(card!.blocks)).not.toContain('"button"');
    const [root] = slack.state.channelMessages(GENERAL);
    expect(text(root!)).toMatch(/expired/i);
    const notes = slack.state.thread(GENERAL, root!.ts).map(text);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain('Waiting for approval');
    expect(notes[1]).toContain('Expired');
    expect(notes[1]).toContain('nobody decided in time. Nothing was changed.');

    expect(await auditTrail(db, pending)).toContain('expired');
    expect(associateCalls()).toBe(0);
    expect(sandbox.state.policyOfVolume(PROJECT, DB_DATA_1)).toBeUndefined();
  });

  it('delivers, after a restart, a summary Slack refused while the bot was up, exactly once', async () => {
    const { db, request } = await killWhileRunning();
    // From now on Slack fails every chat.postMessage: the summary cannot be posted.
    slack.failNext('chat.postMessage', { error: 'internal_error' }, 1000);

    const { bot: second } = await startBot('second bot', ALLOW_SRE);
    const stuck = await waitFor('the summary to fail and stay in the outbox', async () => {
      const current = await db.requests.get(request.id);
      const [head] = await db.outbox.listOpen(request.id);
      return current !== undefined &&
        isFinal(current.state) &&
        head?.intent.kind === 'thread.summary' &&
        head.attempts >= 1
        ? head
        : undefined;
    });
    expect(stuck.lastError).toBe('internal_error');
    await second.kill('SIGKILL');
    const [root] = slack.state.channelMessages(INCIDENT);
    expect(slack.state.thread(INCIDENT, root!.ts)).toEqual([]);
    // The root message (posted by the first bot), then at least one refused summary (by the second).
    expect(slack.state.callsOf('chat.postMessage').length).toBeGreaterThanOrEqual(2);

    // Slack is healthy again (the faults not yet used are dropped) and the bot restarts once the
    // summary is due again (the outbox's first backoff, 2 s, is not configurable): its first
    // outbox pass at start then delivers it, instead of its loop 5 s later.
    while (slack.state.takeFault('chat.postMessage') !== undefined);
    const [due] = await db.outbox.listOpen(request.id);
    if (due?.intent.kind !== 'thread.summary')
      throw new Error(`the summary is not the next message but ${due?.intent.kind ?? 'nothing'}`);
    await waitFor('the summary to be due again', () => (Date.now() >= due.nextAttemptAt ? true : undefined));
    await startBot('third bot', ALLOW_SRE);
    const done = await waitForRequest(db, 'to have every message out', request.createdAt, (r) => settled(db, r));
    expect(done.state).toBe('succeeded');

    expect(slack.state.channelMessages(INCIDENT)).toHaveLength(1);
    const thread = slack.state.thread(INCIDENT, root!.ts);
    expect(thread).toHaveLength(1);
    expect(text(thread[0]!)).toContain('added to backup policy `daily-7d`');
    expect(text(slack.state.channelMessages(INCIDENT)[0]!)).toContain('All added');
    expect((await auditTrail(db, request)).filter((step) => step === 'posted thread.summary')).toHaveLength(1);
  });
});

describe('npm start’s contract from outside', () => {
  it('exits with code 1 on a bad environment and YAML, listing every wrong key path and no secret', async () => {
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const { SLACK_BOT_TOKEN: _omitted, ...env } = deploymentEnv();
    const bot = spawnBotProcess({
      name: 'misconfigured bot',
      env: { ...env, OTC_PASSWORD: password, PORT: 'eighty' },
      yaml: deploymentYaml('  - { name: sre-oncall, usergroup: [sre-oncall], decision: allow }'),
      dir,
    });
    const exit = await bot.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    const output = bot.lines.join('\n');
    const failure = bot.logs().find((r) => r['msg'] === 'invalid configuration; not starting');
    expect(failure).toBeDefined();
    const problems = failure!['problems'] as string[];
    for (const path of ['SLACK_BOT_TOKEN', 'PORT', 'rules.0'])
      expect(problems.some((p) => p.startsWith(`${path}:`))).toBe(true);
    expect(problems.join('\n')).toContain('usergroup');
    expect(output).not.toContain(password);
    expect(output).not.toContain(signingSecret);
  });

  it('serves GET /healthz and /readyz with a good configuration and stops with code 0 on SIGTERM', async () => {
    const { bot, port } = await startBot('bot', ALLOW_SRE);
    const alive = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect([alive.status, await alive.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ok', mode: 'http' }]);
    expect(await bot.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(bot.logs().map((r) => r['msg'])).toEqual(expect.arrayContaining(['stopping', 'stopped']));
  });
});

describe('npm start when Slack cannot be reached', () => {
  it('exits with code 1, saying which call failed, why, and what to check', async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const bot = spawnBotProcess({
      name: 'bot without Slack',
      env: { ...deploymentEnv(), SLACK_API_URL: `http://127.0.0.1:${closed}/api/` },
      yaml: deploymentYaml(ALLOW_SRE),
      dir,
    });
    expect(await bot.exited).toEqual({ code: 1, signal: null });
    const failure = bot.logs().find((r) => r['msg'] === 'the bot could not start');
    const message = String((failure?.['error'] as { message?: unknown } | undefined)?.message);
    expect(message).toContain('Slack cannot be reached (auth.test:');
    expect(message).toContain('ECONNREFUSED');
    expect(message).toContain('check the network, HTTPS_PROXY and NO_PROXY, and SLACK_API_URL');
  });
});

describe('a SIGTERM while the bot is starting', () => {
  it('is not lost: the bot finishes starting, stops cleanly and exits with code 0', async () => {
    // Slack answers the start's auth.test late: the signal comes while the bot waits for it.
    slack.failNext('auth.test', { lateMs: 2_000 });
    const bot = spawnBotProcess({ name: 'starting bot', env: deploymentEnv(), yaml: deploymentYaml(ALLOW_SRE), dir });
    await waitFor('the start to reach Slack', () => (slack.state.callsOf('auth.test').length > 0 ? true : undefined));
    expect(await bot.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(bot.logs().map((r) => r['msg'])).toEqual(expect.arrayContaining(['stopping', 'stopped']));
  });

  it('does not wait for a start that does not finish: exits 1 five seconds after the signal', async () => {
    // Slack answers the start's auth.test only after 9 s (within its 10 s timeout).
    slack.failNext('auth.test', { lateMs: 9_000 });
    const bot = spawnBotProcess({ name: 'hung start', env: deploymentEnv(), yaml: deploymentYaml(ALLOW_SRE), dir });
    await waitFor('the start to reach Slack', () => (slack.state.callsOf('auth.test').length > 0 ? true : undefined));
    const signalledAt = Date.now();
    expect(await bot.kill('SIGTERM')).toEqual({ code: 1, signal: null });
    // Not before the start had its five seconds (less a timer's rounding).
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(4_900);
    expect(bot.logs().map((r) => r['msg'])).toContain(
      'the start did not finish after the signal; exiting without a clean stop',
    );
  });

  it('takes a second signal as the first (Ctrl-C under npm start comes twice): one clean stop', async () => {
    slack.failNext('auth.test', { lateMs: 2_000 });
    const bot = spawnBotProcess({
      name: 'signalled twice',
      env: deploymentEnv(),
      yaml: deploymentYaml(ALLOW_SRE),
      dir,
    });
    await waitFor('the start to reach Slack', () => (slack.state.callsOf('auth.test').length > 0 ? true : undefined));
    process.kill(bot.pid, 'SIGINT');
    await bot.waitForLog('the first signal taken', (r) => r['msg'] === 'stopping');
    expect(await bot.kill('SIGINT')).toEqual({ code: 0, signal: null });
    expect(bot.logs().filter((r) => r['msg'] === 'stopping')).toHaveLength(1);
    expect(bot.logs().map((r) => r['msg'])).toContain('stopped');
  });
});
