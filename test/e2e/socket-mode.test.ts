import type { DemoWorld } from '../../src/demo/demo-world';
import { waitFor } from '../../src/demo/wait';
import { sampleSum, scrapeMetrics } from '../helpers/metrics';
import { interactionUser, viewSubmissionPayload } from '../../src/demo/slack-payloads';
import { seededPolicyId } from '../../src/sandbox';
import type { SocketModeStandIn } from '../helpers/socket-mode-stand-in';
import { ALICE, DB_DATA_1, INCIDENT, rootMessages, startSocketWorld, stopSocketWorld, text } from './world';

function slashCommandEnvelope(world: DemoWorld, envelopeId: string, commandText: string): Record<string, unknown> {
  return {
    envelope_id: envelopeId,
    type: 'slash_commands',
    accepts_response_payload: true,
    payload: {
      token: 'verification-token-of-the-app',
      team_id: world.workspace.teamId,
      team_domain: 'example-ops',
      channel_id: INCIDENT,
      channel_name: 'inc-4711-db-latency',
      user_id: ALICE,
      user_name: 'alice',
      command: '/backup',
      text: commandText,
      api_app_id: 'A0BACKUPBOT',
      response_url: world.slack.newResponseUrl(),
      trigger_id: world.slack.newTriggerId(),
    },
  };
}

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
    const envelope = slashCommandEnvelope(world, 'env-1', `associate daily-7d ${DB_DATA_1} --reason "via socket"`);
    socket.send({ ...envelope, payload: { ...(envelope['payload'] as object), response_url: responseUrl } });
    await waitFor('the envelope ack', () => socket.acks.find((a) => a.envelope_id === 'env-1'));
    expect(sampleSum(await scrapeMetrics(world.bot.port), 'backup_bot_ack_seconds_count')).toBe(1);
    expect(world.bot.bot.pacing.answering).toBe(true);
    const request = await world.settle((await world.latestRequest(0)).id);
    expect(request.state).toBe('succeeded');
    const [root] = rootMessages(world, INCIDENT);
    expect(text(world, root!.blocks)).toContain('Reason: via socket');
    expect(world.slack.state.thread(INCIDENT, root!.ts)).toHaveLength(1);
    // The client logs each envelope as received, at debug: its verification token is masked.
    const received = world.logger.lines.filter((l) => l.includes('Received a message on the WebSocket'));
    expect(received.some((l) => l.includes('associate daily-7d'))).toBe(true);
    expect(world.logger.lines.join('\n')).not.toContain('verification-token-of-the-app');
  });
});

describe('a stop in Socket Mode', () => {
  let socket: SocketModeStandIn;
  let world: DemoWorld;

  beforeEach(async () => {
    ({ socket, world } = await startSocketWorld());
  });
  afterEach(() => stopSocketWorld({ socket, world }));

  it('acks a form submitted just before it over the socket, after the check, and only then closes the socket', async () => {
    const views = world.slack.state.views.size;
    socket.send(slashCommandEnvelope(world, 'env-open', 'associate'));
    const form = await waitFor('the form', () => {
      const opened = [...world.slack.state.views.values()].slice(views)[0];
      return opened?.view['callback_id'] === 'request.form' ? opened : undefined;
    });
    // The submit's check reads the volumes this late: its ack comes after the stop began.
    world.sandbox.faults.inject('evs.volume.get', { latencyMs: 600, times: 1 });
    const option = (value: string) => ({ text: { type: 'plain_text', text: value }, value });
    const payload = viewSubmissionPayload(
      form,
      interactionUser(world.slack.state.workspace, ALICE),
      world.slack.newTriggerId(),
      {
        userId: ALICE,
        viewId: form.id,
        values: {
          'policy.prod': {
            'form.policy': { type: 'external_select', selected_option: option(seededPolicyId('daily-7d')!) },
          },
          'volumes.prod': { 'form.volumes': { type: 'multi_external_select', selected_options: [option(DB_DATA_1)] } },
          'server.prod': { 'form.server': { type: 'external_select', selected_option: null } },
          reason: { 'form.reason': { type: 'plain_text_input', value: 'before the stop' } },
        },
      },
    );
    socket.send({ envelope_id: 'env-submit', type: 'interactive', accepts_response_payload: true, payload });
    await waitFor('the check reading the volumes', () =>
      world.sandbox.faults.pending('evs.volume.get') === 0 ? true : undefined,
    );
    expect(socket.acks.find((a) => a.envelope_id === 'env-submit')).toBeUndefined();
    await world.bot.bot.stop();
    const ack = socket.acks.find((a) => a.envelope_id === 'env-submit');
    expect(ack?.payload).toEqual({ response_action: 'clear' });
    const [request] = await world.bot.store.queries.listRequests({
      teamId: world.workspace.teamId,
      since: 0,
      limit: 5,
    });
    expect(request?.reason).toBe('before the stop');
    expect(world.logger.lines.filter((l) => l.includes('"level":"error"'))).toEqual([]);
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
