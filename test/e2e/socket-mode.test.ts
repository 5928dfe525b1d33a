import type { DemoWorld } from '../../src/demo/demo-world';
import { waitFor } from '../../src/demo/wait';
import { sampleSum, scrapeMetrics } from '../helpers/metrics';
import type { SocketModeStandIn } from '../helpers/socket-mode-stand-in';
import { ALICE, DB_DATA_1, INCIDENT, rootMessages, startSocketWorld, stopSocketWorld, text } from './world';

describe('Socket Mode', () => {
  let socket: SocketModeStandIn;
  let world: DemoWorld;

  beforeEach(async () => {
    // An ack keeps the paced work at one step a turn for the whole test (see the second test).
    ({ socket, world } = await startSocketWorld({ intervals: { answeringQuietMs: 3_600_000 } }));
  });
  afterEach(() => stopSocketWorld({ socket, world }));

  it('connects, logs the mode, and serves /healthz, /readyz and /metrics on PORT', async () => {
    expect(world.bot.bot.mode).toBe('socket');
    expect(world.logger.lines.some((l) => l.includes('backup bot running in Socket Mode'))).toBe(true);
    const base = `http://127.0.0.1:${world.bot.port}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ok', mode: 'socket' });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain('backup_bot_approvals_pending 0');
  });

  it('acks a slash command envelope, tells the paced work so, and runs the same flow as HTTP mode', async () => {
    expect(world.bot.bot.pacing.answering).toBe(false);
    const responseUrl = world.slack.newResponseUrl();
    socket.send({
      envelope_id: 'env-1',
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'x',
        team_id: world.workspace.teamId,
        team_domain: 'example-ops',
        channel_id: INCIDENT,
        channel_name: 'inc-4711-db-latency',
        user_id: ALICE,
        user_name: 'alice',
        command: '/backup',
        text: `associate daily-7d ${DB_DATA_1} --reason "via socket"`,
        api_app_id: 'A0BACKUPBOT',
        response_url: responseUrl,
        trigger_id: '1.2.trigger',
      },
    });
    await waitFor('the envelope ack', () => socket.acks.find((a) => a.envelope_id === 'env-1'));
    expect(sampleSum(await scrapeMetrics(world.bot.port), 'backup_bot_ack_seconds_count')).toBe(1);
    expect(world.bot.bot.pacing.answering).toBe(true);
    const request = await world.settle((await world.latestRequest(0)).id);
    expect(request.state).toBe('succeeded');
    const [root] = rootMessages(world, INCIDENT);
    expect(text(world, root!.blocks)).toContain('Reason: via socket');
    expect(world.slack.state.thread(INCIDENT, root!.ts)).toHaveLength(1);
  });
});

describe('Socket Mode health', () => {
  let socket: SocketModeStandIn;
  let world: DemoWorld;

  beforeEach(async () => {
    ({ socket, world } = await startSocketWorld({
      // The client waits this long before it reconnects (and for a pong); its default is 5 s.
      intervals: { socketPingTimeoutMs: 1000 },
    }));
  });
  afterEach(() => stopSocketWorld({ socket, world }));

  async function health(): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`http://127.0.0.1:${world.bot.port}/readyz`);
    return { status: res.status, body: await res.json() };
  }

  it('answers /readyz 503 while the socket is down, and 200 again once Slack said hello on a new one', async () => {
    expect(await health()).toEqual({ status: 200, body: { status: 'ok', mode: 'socket' } });
    socket.holdHello = true;
    socket.dropConnection();

    const down = await waitFor('/readyz to answer 503', async () => {
      const h = await health();
      return h.status === 503 ? h : undefined;
    });
    expect(down.body).toEqual({ status: 'degraded', mode: 'socket', slack: 'disconnected' });
    await waitFor('the bot to open a new connection', () => (socket.connections >= 2 ? true : undefined));
    expect((await health()).status).toBe(503);

    socket.sayHello();
    const up = await waitFor('/readyz to answer 200', async () => {
      const h = await health();
      return h.status === 200 ? h : undefined;
    });
    expect(up.body).toEqual({ status: 'ok', mode: 'socket' });
  });
});
