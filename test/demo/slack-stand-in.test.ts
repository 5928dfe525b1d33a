import type { SlackStandIn } from '../../src/demo/slack-stand-in/server';
import { startSlackStandIn } from '../../src/demo/slack-stand-in/server';

const MODAL = {
  type: 'modal',
  title: { type: 'plain_text', text: 'A modal' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Hello' } }],
};
const HOME = { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Home' } }] };

/** Slack's Web API as the bot's WebClient calls it: JSON body, bearer token. */
async function call(slack: SlackStandIn, method: string, args: Record<string, unknown>) {
  const res = await fetch(`${slack.apiUrl}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${slack.botToken}` },
    body: JSON.stringify(args),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the Slack stand-in', () => {
  let slack: SlackStandIn;
  let now: number;

  beforeEach(async () => {
    now = 1_700_000_000_000;
    slack = await startSlackStandIn({ clock: () => now });
  });
  afterEach(async () => {
    await slack.stop();
  });

  describe('trigger ids', () => {
    it('issues trigger ids in Slack’s shape, stamped with the stand-in’s clock, each one new', () => {
      const first = slack.newTriggerId();
      const second = slack.newTriggerId();
      expect(first).toMatch(/^1700000000000\.\d+\.trigger$/);
      expect(second).not.toBe(first);
    });

    it('opens a modal with a fresh trigger id, once: a second views.open or views.push with it is refused as exchanged', async () => {
      const trigger = slack.newTriggerId();
      const opened = await call(slack, 'views.open', { trigger_id: trigger, view: MODAL });
      expect(opened.body).toMatchObject({ ok: true, view: { type: 'modal' } });
      expect(await call(slack, 'views.open', { trigger_id: trigger, view: MODAL })).toEqual({
        status: 200,
        body: { ok: false, error: 'exchanged_trigger_id' },
      });
      expect((await call(slack, 'views.push', { trigger_id: trigger, view: MODAL })).body).toEqual({
        ok: false,
        error: 'exchanged_trigger_id',
      });
      expect(slack.state.views.size).toBe(1);
      expect(slack.state.refused.map((r) => `${r.method}: ${r.error}`)).toEqual([
        'views.open: exchanged_trigger_id',
        'views.push: exchanged_trigger_id',
      ]);
    });

    it('pushes a modal with a fresh trigger id, once', async () => {
      const trigger = slack.newTriggerId();
      expect((await call(slack, 'views.push', { trigger_id: trigger, view: MODAL })).body).toMatchObject({ ok: true });
      expect((await call(slack, 'views.push', { trigger_id: trigger, view: MODAL })).body).toEqual({
        ok: false,
        error: 'exchanged_trigger_id',
      });
    });

    it('accepts a trigger id until three seconds after it was issued, and refuses it as expired after that', async () => {
      const onTime = slack.newTriggerId();
      const late = slack.newTriggerId();
      now += 3000;
      expect((await call(slack, 'views.open', { trigger_id: onTime, view: MODAL })).body).toMatchObject({ ok: true });
      now += 1;
      expect((await call(slack, 'views.open', { trigger_id: late, view: MODAL })).body).toEqual({
        ok: false,
        error: 'expired_trigger_id',
      });
      expect((await call(slack, 'views.push', { trigger_id: slack.newTriggerId(), view: MODAL })).body).toMatchObject({
        ok: true,
      });
      expect(slack.state.views.size).toBe(2);
    });

    it.each([
      ['a missing', undefined],
      ['an empty', ''],
      ['a never issued (though well-formed)', '1700000000000.123456.trigger'],
      ['a non-string', 42],
    ])('refuses %s trigger id as invalid', async (_what, triggerId) => {
      for (const method of ['views.open', 'views.push']) {
        expect((await call(slack, method, { trigger_id: triggerId, view: MODAL })).body).toEqual({
          ok: false,
          error: 'invalid_trigger_id',
        });
      }
      expect(slack.state.views.size).toBe(0);
    });

    it('does not use up a trigger id on a view it refuses for its blocks', async () => {
      const trigger = slack.newTriggerId();
      const tooLong = { ...MODAL, title: { type: 'plain_text', text: 'x'.repeat(25) } };
      expect((await call(slack, 'views.open', { trigger_id: trigger, view: tooLong })).body).toMatchObject({
        ok: false,
        error: 'invalid_arguments',
      });
      expect((await call(slack, 'views.open', { trigger_id: trigger, view: MODAL })).body).toMatchObject({ ok: true });
    });

    it('publishes a home view without a trigger id, and views.update needs none', async () => {
      const published = await call(slack, 'views.publish', { user_id: 'U0ALICE001', view: HOME });
      expect(published.body).toMatchObject({ ok: true, view: { type: 'home' } });
      const id = (published.body['view'] as { id: string }).id;
      expect((await call(slack, 'views.update', { view_id: id, view: HOME })).body).toMatchObject({ ok: true });
    });
  });

  describe('channel members', () => {
    it('lists a channel’s members page by page, as conversations.members does', async () => {
      const first = await call(slack, 'conversations.members', { channel: 'C0GENERAL1', limit: 4 });
      const cursor = (first.body['response_metadata'] as { next_cursor: string }).next_cursor;
      expect(first.body['members']).toEqual(['U0ALICE001', 'U0BOB00001', 'U0DAVE0001', 'U0ERIN0001']);
      expect(cursor).not.toBe('');
      const second = await call(slack, 'conversations.members', { channel: 'C0GENERAL1', limit: 4, cursor });
      expect(second.body).toEqual({
        ok: true,
        members: ['U0CAROL001', 'U0BACKUPBOT'],
        response_metadata: { next_cursor: '' },
      });
    });

    it('answers channel_not_found for a private channel without the bot, and follows changed membership', async () => {
      expect((await call(slack, 'conversations.members', { channel: 'G0SECRET01' })).body).toEqual({
        ok: false,
        error: 'channel_not_found',
      });
      slack.state.setChannelMembers('C0APPROVAL', ['U0BOB00001']);
      expect((await call(slack, 'conversations.members', { channel: 'C0APPROVAL' })).body).toMatchObject({
        ok: true,
        members: ['U0BOB00001'],
      });
    });
  });

  describe('views and messages Slack would refuse', () => {
    it('refuses a home view in views.open and a modal in views.publish', async () => {
      expect((await call(slack, 'views.open', { trigger_id: slack.newTriggerId(), view: HOME })).body).toMatchObject({
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: ['views.open takes a modal view'] },
      });
      expect((await call(slack, 'views.publish', { user_id: 'U0ALICE001', view: MODAL })).body).toMatchObject({
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: ['views.publish takes a home view'] },
      });
    });

    it('refuses 101 blocks in a home view and accepts 100', async () => {
      const blocks = (n: number) => Array.from({ length: n }, () => ({ type: 'divider' }));
      expect(
        (await call(slack, 'views.publish', { user_id: 'U0ALICE001', view: { type: 'home', blocks: blocks(101) } }))
          .body,
      ).toMatchObject({
        ok: false,
        error: 'invalid_arguments',
        response_metadata: { messages: ['101 blocks; at most 100'] },
      });
      expect(
        (await call(slack, 'views.publish', { user_id: 'U0ALICE001', view: { type: 'home', blocks: blocks(100) } }))
          .body,
      ).toMatchObject({ ok: true });
    });

    it('refuses an ephemeral message over Block Kit limits, by chat.postEphemeral and by response_url', async () => {
      const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
      expect(
        (await call(slack, 'chat.postEphemeral', { channel: 'C0GENERAL1', user: 'U0ALICE001', blocks: tooMany })).body,
      ).toMatchObject({ ok: false, error: 'invalid_blocks', errors: ['51 blocks; at most 50'] });

      const responseUrl = slack.newResponseUrl();
      const post = (blocks: unknown[]) =>
        fetch(responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ response_type: 'ephemeral', blocks }),
        });
      const refused = await post(tooMany);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ ok: false, error: 'invalid_blocks' });
      expect(slack.state.responses).toEqual([]);
      expect((await post([{ type: 'divider' }])).status).toBe(200);
      expect(slack.state.responses).toHaveLength(1);
      expect(slack.state.refused.map((r) => r.method)).toEqual(['chat.postEphemeral', 'response_url']);
    });

    it('refuses to apply a response_action update Slack would refuse, saying why', async () => {
      const opened = await call(slack, 'views.open', { trigger_id: slack.newTriggerId(), view: MODAL });
      const id = (opened.body['view'] as { id: string }).id;
      expect(() =>
        slack.applyViewUpdate(id, { ...MODAL, close: { type: 'plain_text', text: 'c'.repeat(25) } }),
      ).toThrow(`Slack would refuse the view the bot answered for ${id}: modal close is 25 chars; at most 24`);
      expect(slack.state.views.get(id)!.view).toEqual(MODAL);
      slack.applyViewUpdate(id, { ...MODAL, close: { type: 'plain_text', text: 'Close' } });
      expect(slack.state.views.get(id)!.view['close']).toEqual({ type: 'plain_text', text: 'Close' });
    });
  });

  describe('workflow steps', () => {
    async function complete(method: string, token: string, args: Record<string, unknown>) {
      const res = await fetch(`${slack.apiUrl}${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${token}` },
        body: JSON.stringify(args),
      });
      return (await res.json()) as Record<string, unknown>;
    }

    it('completes a run once, with its own token only, and records how it ended', async () => {
      const run = slack.state.steps.start();
      expect(run.token).toMatch(/^xwfp-/);
      const outputs = { request_id: 'r-abcdefgh', added_count: 1 };
      const args = { function_execution_id: run.executionId, outputs };
      expect(await complete('functions.completeSuccess', slack.botToken, args)).toEqual({
        ok: false,
        error: 'invalid_auth',
      });
      const other = slack.state.steps.start();
      expect(await complete('functions.completeSuccess', other.token, args)).toEqual({
        ok: false,
        error: 'access_denied',
      });
      expect(await complete('functions.completeSuccess', run.token, args)).toEqual({ ok: true });
      expect(await complete('functions.completeError', run.token, { ...args, error: 'late' })).toEqual({
        ok: false,
        error: 'execution_not_in_running_state',
      });
      expect(slack.state.steps.completions).toEqual([{ executionId: run.executionId, kind: 'success', outputs }]);
    });

    it('refuses a revoked token with the error it was told, and an error without text', async () => {
      const run = slack.state.steps.start();
      expect(
        await complete('functions.completeError', run.token, { function_execution_id: run.executionId, error: '' }),
      ).toEqual({ ok: false, error: 'invalid_arguments' });
      slack.state.steps.revoke(run.executionId);
      expect(
        await complete('functions.completeError', run.token, { function_execution_id: run.executionId, error: 'no' }),
      ).toEqual({ ok: false, error: 'token_revoked' });
      expect(run.ended).toBeUndefined();
    });
  });
});
