import { BotMetrics, cloudOperation } from '../../src/metrics/bot-metrics';

const emptyStore = {
  health: () => Promise.resolve('ok' as const),
  queries: { countPendingApprovals: () => Promise.resolve(2) },
  outbox: { backlog: () => Promise.resolve({ open: 3, oldestCreatedAt: 1_000 }) },
};

describe('cloudOperation', () => {
  it.each([
    [
      'POST',
      '/v2/0123456789abcdef0123456789abcdef/backuppolicyresources',
      'POST /v2/{project_id}/backuppolicyresources',
    ],
    [
      'GET',
      '/v2/0123456789abcdef0123456789abcdef/volumes/0f187b65-8d0e-4fc0-9096-3b55d330531e',
      'GET /v2/{project_id}/volumes/{id}',
    ],
    ['POST', '/v3/auth/tokens', 'POST /v3/auth/tokens'],
  ])('%s %s -> %s', (method, path, operation) => {
    expect(cloudOperation(method, path)).toBe(operation);
  });
});

describe('BotMetrics', () => {
  it('reads the gauges from the store when scraped, and writes the counters it was told', async () => {
    const metrics = new BotMetrics({ store: emptyStore, clock: { now: () => 31_000 } });
    metrics.cloudCalled({
      method: 'GET',
      path: '/v2/0123456789abcdef0123456789abcdef/backuppolicy',
      status: 200,
      durationMs: 250,
    });
    metrics.cloudCalled({ method: 'GET', path: '/v3/auth/tokens', status: undefined, durationMs: 10 });
    metrics.slackCalled({ method: 'chat.postMessage', status: 200, durationMs: 5, error: 'channel_not_found' });
    metrics.slackCalled({ method: 'chat.update', status: 200, durationMs: 5, error: undefined });
    metrics.leaseTakenOver('run');
    const { body, contentType } = await metrics.exposition();
    expect(contentType).toContain('text/plain');
    expect(body).toContain('backup_bot_store_up 1');
    expect(body).toContain('backup_bot_approvals_pending 2');
    expect(body).toContain('backup_bot_outbox_backlog 3');
    expect(body).toContain('backup_bot_outbox_oldest_age_seconds 30');
    expect(body).toContain(
      'backup_bot_cloud_call_seconds_sum{operation="GET /v2/{project_id}/backuppolicy",status="200"} 0.25',
    );
    expect(body).toContain(
      'backup_bot_cloud_call_seconds_count{operation="GET /v3/auth/tokens",status="network_error"} 1',
    );
    expect(body).toContain('backup_bot_slack_api_errors_total{method="chat.postMessage",error="channel_not_found"} 1');
    expect(body).not.toContain('method="chat.update"');
    expect(body).toContain('backup_bot_lease_takeovers_total{kind="run"} 1');
  });

  /** The gauges read from the store say NaN (unknown), and the scrape says the store is down. */
  function expectStoreGaugesUnknown(body: string): void {
    expect(body).toContain('backup_bot_store_up 0');
    expect(body).toContain('process_cpu_user_seconds_total');
    for (const name of [
      'backup_bot_approvals_pending',
      'backup_bot_outbox_backlog',
      'backup_bot_outbox_oldest_age_seconds',
    ])
      expect(body).toMatch(new RegExp(`^${name} nan$`, 'im'));
  }

  it('still answers a scrape while the store is down: the store gauges are NaN, store_up says 0', async () => {
    const down = (): Promise<never> => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const metrics = new BotMetrics({
      store: {
        health: () => Promise.resolve('unavailable' as const),
        queries: { countPendingApprovals: down },
        outbox: { backlog: down },
      },
      clock: { now: () => 0 },
    });
    metrics.commandAnswered('help', 'answered');
    const { body } = await metrics.exposition();
    expect(body).toContain('backup_bot_commands_total{subcommand="help",outcome="answered"} 1');
    expectStoreGaugesUnknown(body);
  });

  it('answers a scrape while the store does not answer at all: store_up 0 and NaN once storeAnswerMs has passed', async () => {
    const never = (): Promise<never> => new Promise(() => undefined);
    const metrics = new BotMetrics({
      store: { health: never, queries: { countPendingApprovals: never }, outbox: { backlog: never } },
      clock: { now: () => 0 },
      storeAnswerMs: 50,
    });
    expectStoreGaugesUnknown((await metrics.exposition()).body);
  });

  it("drops a store gauge's last value when a later read fails, rather than report it as current", async () => {
    let up = true;
    const metrics = new BotMetrics({
      store: {
        health: () => Promise.resolve(up ? ('ok' as const) : ('unavailable' as const)),
        queries: { countPendingApprovals: () => (up ? Promise.resolve(4) : Promise.reject(new Error('gone'))) },
        outbox: { backlog: () => Promise.resolve({ open: 0, oldestCreatedAt: undefined }) },
      },
      clock: { now: () => 0 },
    });
    expect((await metrics.exposition()).body).toContain('backup_bot_approvals_pending 4');
    up = false;
    const { body } = await metrics.exposition();
    expect(body).toMatch(/^backup_bot_approvals_pending nan$/im);
    expect(body).toContain('backup_bot_store_up 0');
    expect(body).toContain('backup_bot_outbox_backlog 0');
  });

  it('gives each bot its own registry, so two in one process do not collide', async () => {
    const one = new BotMetrics({ store: emptyStore, clock: { now: () => 0 } });
    const two = new BotMetrics({ store: emptyStore, clock: { now: () => 0 } });
    one.commandAnswered('help', 'answered');
    expect((await one.exposition()).body).toContain(
      'backup_bot_commands_total{subcommand="help",outcome="answered"} 1',
    );
    expect((await two.exposition()).body).not.toContain('subcommand="help"');
  });
});
