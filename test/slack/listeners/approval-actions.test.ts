import * as approvals from '../../../src/flow/approvals';
import {
  ACTION_APPROVE,
  ACTION_CANCEL,
  ACTION_DENY,
  BLOCK_COMMENT,
  INPUT_COMMENT,
  VIEW_APPROVE,
  VIEW_DENY,
  VIEW_INFO,
} from '../../../src/slack/ids';
import { registerApprovalActions } from '../../../src/slack/listeners/approval-actions';
import type { FlowFixture } from '../../support/flow-fixture';
import { stored, useFlowFixture, waitingForApproval } from '../../support/flow-fixture';
import { ALICE, BOB, DAVE, TEAM } from '../../support/flow-world';
import { clickButton, submitView } from '../../support/interaction';
import type { ListenerApp } from '../../support/listener-app';
import {
  checkNockAfterEach,
  createListenerApp,
  expectResponse,
  expectSlackCall,
  traceFlow,
} from '../../support/listener-app';

/** The text of a modal's sections, joined. */
function modalText(view: unknown): string {
  const blocks = (view as { blocks: { text?: { text: string } }[] }).blocks;
  return blocks.map((b) => b.text?.text ?? '').join('\n');
}

const comment = (value: string | null) => ({
  [BLOCK_COMMENT]: { [INPUT_COMMENT]: { type: 'plain_text_input', value } },
});

describe('registerApprovalActions: the Approve and Deny buttons', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  let f: FlowFixture;
  let bot: ListenerApp;
  beforeEach(() => {
    f = fixture();
    bot = createListenerApp(f.deps, registerApprovalActions);
  });

  /** Clicks a button and gives the view the loading modal was replaced with. */
  async function click(userId: string, actionId: string, value: string) {
    const payload = clickButton(userId, actionId, value);
    const open = expectSlackCall(bot.timeline, 'views.open', { view: { id: 'V0DECIDE1', hash: 'h-loading' } });
    const update = expectSlackCall(bot.timeline, 'views.update');
    await bot.send(payload);
    open.scope.done();
    update.scope.done();
    expect(open.bodies[0]).toMatchObject({ trigger_id: payload.trigger_id, view: { callback_id: VIEW_INFO } });
    expect(modalText(open.bodies[0]!['view'])).toContain('Checking the request…');
    expect(update.bodies[0]).toMatchObject({ view_id: 'V0DECIDE1', hash: 'h-loading' });
    return update.bodies[0]!['view'] as Record<string, unknown>;
  }

  it('opens the loading modal first, then checks, then shows the approval form carrying the request id', async () => {
    const request = await waitingForApproval(f);
    const spy = traceFlow(approvals, 'checkDecision', bot.timeline);
    const view = await click(BOB, ACTION_APPROVE, request.id);
    expect(bot.timeline).toEqual(['ack', 'views.open', 'checkDecision', 'views.update']);
    expect(spy).toHaveBeenCalledWith(f.deps, request.id, { teamId: TEAM, userId: BOB }, 'approve');
    expect(view).toMatchObject({ callback_id: VIEW_APPROVE, private_metadata: request.id });
  });

  it('shows the deny form for Deny', async () => {
    const request = await waitingForApproval(f);
    expect(await click(BOB, ACTION_DENY, request.id)).toMatchObject({ callback_id: VIEW_DENY });
  });

  it('replaces the loading modal with the refusal for someone who is not an approver, and changes nothing', async () => {
    const request = await waitingForApproval(f);
    const view = await click(ALICE, ACTION_APPROVE, request.id);
    expect(view).toMatchObject({ callback_id: VIEW_INFO, title: { text: 'Nothing changed' } });
    expect(modalText(view)).toBe('You are not an approver of this request, so nothing was changed.');
    expect((await stored(f, request.id)).state).toBe('pending_approval');
  });

  it('says it does not know a request whose id the button does not carry', async () => {
    const view = await click(BOB, ACTION_APPROVE, 'DROP TABLE requests');
    expect(modalText(view)).toBe('I do not know that request. Nothing was changed.');
  });
});

describe('registerApprovalActions: the approval modal submitted', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  let f: FlowFixture;
  let bot: ListenerApp;
  beforeEach(() => {
    f = fixture();
    bot = createListenerApp(f.deps, registerApprovalActions);
  });

  it('answers “recording” at once, decides once, then shows the decision in the modal and runs the request', async () => {
    const request = await waitingForApproval(f);
    const spy = traceFlow(approvals, 'decide', bot.timeline);
    const update = expectSlackCall(bot.timeline, 'views.update');
    await bot.send(submitView(BOB, { callbackId: VIEW_APPROVE, privateMetadata: request.id, values: comment(null) }));
    update.scope.done();
    expect(bot.timeline).toEqual(['ack', 'decide', 'views.update']);
    expect(bot.acks[0]).toMatchObject({ response_action: 'update', view: { title: { text: 'Approving…' } } });
    expect(spy).toHaveBeenCalledWith(f.deps, request.id, { teamId: TEAM, userId: BOB }, 'approve', undefined);
    expect(update.bodies[0]).toMatchObject({ view_id: 'V0MODAL01', view: { title: { text: 'Done' } } });
    expect(modalText(update.bodies[0]!['view'])).toContain('the request runs now');
    await f.deps.work.idle();
    expect((await stored(f, request.id)).state).toBe('succeeded');
  });

  it.each([null, '   '])(
    'answers a denial without a comment (%j) with an error on the comment field',
    async (value) => {
      const request = await waitingForApproval(f);
      const spy = traceFlow(approvals, 'decide', bot.timeline);
      await bot.send(submitView(BOB, { callbackId: VIEW_DENY, privateMetadata: request.id, values: comment(value) }));
      expect(bot.acks).toEqual([
        { response_action: 'errors', errors: { [BLOCK_COMMENT]: 'Please say why you deny it.' } },
      ]);
      expect(spy).not.toHaveBeenCalled();
      expect((await stored(f, request.id)).state).toBe('pending_approval');
    },
  );

  it('records a denial with its comment', async () => {
    const request = await waitingForApproval(f);
    const update = expectSlackCall(bot.timeline, 'views.update');
    await bot.send(submitView(BOB, { callbackId: VIEW_DENY, privateMetadata: request.id, values: comment('no') }));
    update.scope.done();
    expect(bot.acks[0]).toMatchObject({ view: { title: { text: 'Denying…' } } });
    expect(await stored(f, request.id)).toMatchObject({ state: 'denied', approval: { comment: 'no' } });
  });

  it('shows the refusal in the modal when the requester approves their own request', async () => {
    const request = await waitingForApproval(f, BOB);
    const update = expectSlackCall(bot.timeline, 'views.update');
    await bot.send(submitView(BOB, { callbackId: VIEW_APPROVE, privateMetadata: request.id, values: comment(null) }));
    update.scope.done();
    expect(update.bodies[0]).toMatchObject({ view: { title: { text: 'Nothing changed' } } });
    expect(modalText(update.bodies[0]!['view'])).toMatch(/^You asked for this yourself/);
  });
});

describe('registerApprovalActions: the Cancel button', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();

  it('cancels the requester’s request without a word more (the thread says it)', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, registerApprovalActions);
    const request = await waitingForApproval(f);
    const spy = traceFlow(approvals, 'cancel', bot.timeline);
    await bot.send(clickButton(DAVE, ACTION_CANCEL, request.id));
    expect(bot.timeline).toEqual(['ack', 'cancel']);
    expect(spy).toHaveBeenCalledTimes(1);
    expect((await stored(f, request.id)).state).toBe('cancelled');
  });

  it('tells anyone else, only them, that only the requester can cancel', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, registerApprovalActions);
    const request = await waitingForApproval(f);
    const payload = clickButton(BOB, ACTION_CANCEL, request.id);
    const reply = expectResponse(bot.timeline, payload.response_url);
    await bot.send(payload);
    reply.scope.done();
    expect(bot.timeline).toEqual(['ack', 'respond']);
    expect(reply.bodies[0]).toEqual({
      response_type: 'ephemeral',
      replace_original: false,
      text: 'Only the person who asked can cancel this request. Nothing was changed.',
    });
    expect((await stored(f, request.id)).state).toBe('pending_approval');
  });
});
