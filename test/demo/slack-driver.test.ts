import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackDriver, signSlackRequest } from '../../src/demo/slack-driver';
import type { SlackStandIn } from '../../src/demo/slack-stand-in/server';
import { startSlackStandIn } from '../../src/demo/slack-stand-in/server';

const SECRET = 'driver-test-secret';
const ALICE = 'U0ALICE001';
const MODAL = {
  type: 'modal',
  callback_id: 'test.modal',
  title: { type: 'plain_text', text: 'A modal' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Hello' } }],
};

interface Received {
  readonly fields: Record<string, string>;
  readonly payload: Record<string, unknown> | undefined;
  readonly signed: boolean;
}

/** A bot that records what the driver sends and answers what the test says. */
class FakeBot {
  readonly received: Received[] = [];
  answer: { status: number; body: string } = { status: 200, body: '' };
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const timestamp = String(req.headers['x-slack-request-timestamp']);
      const fields = Object.fromEntries(new URLSearchParams(body));
      this.received.push({
        fields,
        payload:
          fields['payload'] === undefined ? undefined : (JSON.parse(fields['payload']) as Record<string, unknown>),
        signed: req.headers['x-slack-signature'] === signSlackRequest(SECRET, timestamp, body),
      });
      res.writeHead(this.answer.status, { 'content-type': 'application/json' });
      res.end(this.answer.body);
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The trigger_id of the n-th request the bot received. */
  triggerOf(n: number): string {
    const r = this.received[n]!;
    const triggerId = r.payload?.['trigger_id'] ?? r.fields['trigger_id'];
    if (typeof triggerId !== 'string') throw new Error(`request ${n} carried no trigger_id`);
    return triggerId;
  }
}

async function openView(slack: SlackStandIn, triggerId: string, view: Record<string, unknown> = MODAL) {
  const res = await fetch(`${slack.apiUrl}views.open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${slack.botToken}` },
    body: JSON.stringify({ trigger_id: triggerId, view }),
  });
  return (await res.json()) as { ok: boolean; error?: string; view?: { id: string } };
}

const option = (text: string, value = 'v') => ({ text: { type: 'plain_text', text }, value });

describe('the Slack driver', () => {
  let slack: SlackStandIn;
  let bot: FakeBot;
  let driver: SlackDriver;

  beforeEach(async () => {
    slack = await startSlackStandIn();
    bot = new FakeBot();
    driver = new SlackDriver({ botUrl: await bot.start(), signingSecret: SECRET, standIn: slack });
  });
  afterEach(async () => {
    await bot.stop();
    await slack.stop();
  });

  /** A modal opened with a trigger of the stand-in's own, to submit or type into. */
  async function aModal(): Promise<string> {
    const opened = await openView(slack, slack.newTriggerId());
    return opened.view!.id;
  }

  it('signs every request and carries a trigger id the stand-in issued, which opens one modal', async () => {
    const viewId = await aModal();
    await driver.slashCommand({ userId: ALICE, channelId: 'C0INC4711', text: 'associate' });
    await driver.clickButton({ userId: ALICE, channelId: 'C0INC4711', messageTs: '1.1', actionId: 'a', value: 'v' });
    await driver.shortcut({ userId: ALICE, callbackId: 'request_backup' });
    await driver.changeView({ userId: ALICE, viewId, blockId: 'b', actionId: 'a', action: {}, values: {} });
    await driver.submitView({ userId: ALICE, viewId, values: {} });

    expect(bot.received).toHaveLength(5);
    expect(bot.received.every((r) => r.signed)).toBe(true);
    for (let n = 0; n < 5; n += 1) {
      expect(await openView(slack, bot.triggerOf(n))).toMatchObject({ ok: true });
      expect(await openView(slack, bot.triggerOf(n))).toEqual({ ok: false, error: 'exchanged_trigger_id' });
    }
  });

  it('returns the bot’s status as it is to slash commands, clicks, shortcuts and interactions: 404 is a missing ack', async () => {
    bot.answer = { status: 404, body: '' };
    const viewId = await aModal();
    const statuses = [
      (await driver.slashCommand({ userId: ALICE, channelId: 'C0INC4711', text: 'associate' })).status,
      (await driver.clickButton({ userId: ALICE, channelId: 'C0INC4711', messageTs: '1.1', actionId: 'a', value: 'v' }))
        .status,
      (await driver.shortcut({ userId: ALICE, callbackId: 'request_backup' })).status,
      (await driver.changeView({ userId: ALICE, viewId, blockId: 'b', actionId: 'a', action: {}, values: {} })).status,
      (await driver.interaction({ type: 'block_actions' })).status,
    ];
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
  });

  it.each([
    [404, ''],
    [500, 'oops'],
  ])('throws from submitView, naming the status, when the bot answers %i', async (status, body) => {
    const viewId = await aModal();
    bot.answer = { status, body };
    await expect(driver.submitView({ userId: ALICE, viewId, values: {} })).rejects.toThrow(
      `the bot answered the view_submission of ${viewId} with HTTP ${status}`,
    );
  });

  it('throws from submitView when the bot’s answer is not JSON', async () => {
    const viewId = await aModal();
    bot.answer = { status: 200, body: 'not json' };
    await expect(driver.submitView({ userId: ALICE, viewId, values: {} })).rejects.toThrow(
      'with a body that is not JSON: not json',
    );
  });

  it('applies a response_action update to the modal, and throws when Slack would refuse the new view', async () => {
    const viewId = await aModal();
    const updated = { ...MODAL, title: { type: 'plain_text', text: 'Done' } };
    bot.answer = { status: 200, body: JSON.stringify({ response_action: 'update', view: updated }) };
    expect(await driver.submitView({ userId: ALICE, viewId, values: {} })).toEqual({
      status: 200,
      answer: { response_action: 'update', view: updated },
    });
    expect(slack.state.views.get(viewId)!.view).toEqual(updated);

    const refused = { ...MODAL, title: { type: 'plain_text', text: 'A title of twenty-five ch' } };
    bot.answer = { status: 200, body: JSON.stringify({ response_action: 'update', view: refused }) };
    await expect(driver.submitView({ userId: ALICE, viewId, values: {} })).rejects.toThrow(
      'modal title is 25 chars; at most 24',
    );
    expect(slack.state.views.get(viewId)!.view).toEqual(updated);
  });

  describe('type-ahead answers (suggest)', () => {
    const suggest = (viewId: string) =>
      driver.suggest({ userId: ALICE, viewId, blockId: 'volumes.prod', actionId: 'form.volumes', value: 'db' });

    it('returns up to 100 options with texts up to 75 characters and values up to 150', async () => {
      const viewId = await aModal();
      const options = Array.from({ length: 100 }, (_, i) => option(`${i}`.padEnd(75, 'x'), `${i}`.padEnd(150, 'v')));
      bot.answer = { status: 200, body: JSON.stringify({ options }) };
      expect(await suggest(viewId)).toEqual({ status: 200, options });
    });

    it.each([
      [
        '101 options',
        Array.from({ length: 101 }, (_, i) => option(`volume-${i}`)),
        'options has 101 options; at most 100',
      ],
      ['an option text of 76 characters', [option('x'.repeat(76))], 'options[0] text is 76 chars; at most 75'],
      [
        'an option value of 151 characters',
        [option('x', 'v'.repeat(151))],
        'options[0] value is 151 chars; at most 150',
      ],
    ])('throws when the bot answers %s', async (_what, options, problem) => {
      const viewId = await aModal();
      bot.answer = { status: 200, body: JSON.stringify({ options }) };
      await expect(suggest(viewId)).rejects.toThrow(
        `Slack would refuse the options the bot answered for form.volumes: ${problem}`,
      );
    });

    it('throws when the bot does not answer 200', async () => {
      const viewId = await aModal();
      bot.answer = { status: 404, body: '' };
      await expect(suggest(viewId)).rejects.toThrow(
        'the bot answered the block_suggestion for form.volumes with HTTP 404',
      );
    });
  });
});
