import { startDemoWorld } from '../../src/demo/demo-world';
import type { DemoWorld } from '../../src/demo/demo-world';
import { waitFor } from '../../src/demo/wait';
import { ManualClock } from '../helpers/manual-clock';
import { sampleSum, scrapeMetrics } from '../helpers/metrics';
import { ALICE, DAVE, DB_DATA_1, DB_DATA_2, INCIDENT, GENERAL, useWorld } from './world';

const HOUR = 3_600_000;
const ASSOCIATE = 'operation="POST /v2/{project_id}/backuppolicyresources"';

describe('GET /metrics', () => {
  const clock = new ManualClock();
  const world = useWorld({ clock, intervals: { outboxMs: HOUR, outboxBackoffMs: [HOUR] } });

  it('counts a command, its final state, its ack and its cloud calls, beside the process metrics', async () => {
    const w = world();
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: 'help' });
    const done = await w.settle((await w.latestRequest(0)).id);
    expect(done.state).toBe('succeeded');

    const m = await scrapeMetrics(w.bot.port);
    expect(sampleSum(m, 'backup_bot_commands_total', 'subcommand="associate"', 'outcome="accepted"')).toBe(1);
    expect(sampleSum(m, 'backup_bot_commands_total', 'subcommand="help"', 'outcome="answered"')).toBe(1);
    expect(sampleSum(m, 'backup_bot_requests_final_total', 'state="succeeded"')).toBe(1);
    expect(sampleSum(m, 'backup_bot_ack_seconds_count')).toBe(2);
    expect(sampleSum(m, 'backup_bot_cloud_call_seconds_count', ASSOCIATE, 'status="200"')).toBe(1);
    expect(sampleSum(m, 'backup_bot_slack_api_errors_total')).toBe(0);
    expect(sampleSum(m, 'backup_bot_outbox_backlog')).toBe(0);
    expect(m.has('process_cpu_user_seconds_total')).toBe(true);
    expect(m.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('reads approvals pending from the store when scraped', async () => {
    const w = world();
    await w.driver.slashCommand({
      userId: DAVE,
      channelId: GENERAL,
      text: `associate daily-7d ${DB_DATA_2} --reason x`,
    });
    const waiting = await w.settle((await w.latestRequest(0)).id, undefined, { finalOrWaiting: true });
    expect(waiting.state).toBe('pending_approval');
    expect(sampleSum(await scrapeMetrics(w.bot.port), 'backup_bot_approvals_pending')).toBe(1);
  });

  it('shows the outbox backlog, the age of its oldest message and the Slack error that left it there', async () => {
    const w = world();
    w.slack.failNext('chat.postMessage', { status: 503 });
    await w.driver.slashCommand({ userId: ALICE, channelId: INCIDENT, text: `associate daily-7d ${DB_DATA_1}` });
    const request = await w.latestRequest(0);
    await waitFor('the refused post to wait in the outbox', async () => {
      const [head] = await w.bot.store.outbox.listOpen(request.id);
      return head?.attempts === 1 ? true : undefined;
    });
    clock.advance(90_000);
    const m = await scrapeMetrics(w.bot.port);
    expect(sampleSum(m, 'backup_bot_outbox_backlog')).toBeGreaterThanOrEqual(1);
    expect(sampleSum(m, 'backup_bot_outbox_oldest_age_seconds')).toBe(90);
    expect(sampleSum(m, 'backup_bot_slack_api_errors_total', 'method="chat.postMessage"', 'error="http_5xx"')).toBe(1);
  });
});

describe('metrics of two bots in one process', () => {
  let w: DemoWorld | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  it('keeps one registry per bot: a command to one is not counted by the other', async () => {
    w = await startDemoWorld({ replicas: 2 });
    await w.drivers[0]?.slashCommand({ userId: ALICE, channelId: INCIDENT, text: 'help' });
    const [first, second] = w.bots;
    // The count follows the ack, which the driver's answer may overtake.
    await waitFor('the first bot to count the command', async () =>
      sampleSum(await scrapeMetrics(first?.port ?? 0), 'backup_bot_commands_total') === 1 ? true : undefined,
    );
    expect(sampleSum(await scrapeMetrics(second?.port ?? 0), 'backup_bot_commands_total')).toBe(0);
  });
});
