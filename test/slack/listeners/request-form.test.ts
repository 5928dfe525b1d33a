import { shortcutPayload, viewChangePayload } from '../../../src/demo/slack-payloads';
import * as requestForm from '../../../src/flow/request-form';
import { FORM_POLICY, SHORTCUT_REQUEST, VIEW_FORM, VIEW_INFO } from '../../../src/slack/ids';
import { SUBMIT_BUDGET_MS } from '../../../src/slack/listeners/form-submit';
import { registerRequestForm } from '../../../src/slack/listeners/request-form';
import type { FlowFixture } from '../../support/flow-fixture';
import { useFlowFixture } from '../../support/flow-fixture';
import { ALICE, DAILY_7D, DAVE, DB_DATA_1, GUEST, TEAM } from '../../support/flow-world';
import { openDraft } from '../../support/form-draft';
import { formValues } from '../../support/form-view-state';
import { who } from '../../support/interaction';
import type { ListenerApp } from '../../support/listener-app';
import { checkNockAfterEach, createListenerApp, expectSlackCall, traceFlow } from '../../support/listener-app';
import { nthRequestId } from '../../support/sequential-ids';

const shortcut = (userId: string) =>
  shortcutPayload(who(userId), 'shortcut.trigger', { userId, callbackId: SHORTCUT_REQUEST });

describe('registerRequestForm: the global shortcut', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  let f: FlowFixture;
  let bot: ListenerApp;
  beforeEach(() => {
    f = fixture();
    bot = createListenerApp(f.deps, (app, deps) =>
      registerRequestForm(app, deps, { submitBudgetMs: SUBMIT_BUDGET_MS }),
    );
  });

  it('puts the loading modal up first, then opens the form (asking for the channel) in its place', async () => {
    const spy = traceFlow(requestForm, 'openForm', bot.timeline);
    const open = expectSlackCall(bot.timeline, 'views.open', { view: { id: 'V0FORM001', hash: 'h-1' } });
    const update = expectSlackCall(bot.timeline, 'views.update');
    await bot.send(shortcut(DAVE));
    open.scope.done();
    update.scope.done();
    expect(bot.timeline).toEqual(['ack', 'views.open', 'openForm', 'views.update']);
    expect(spy).toHaveBeenCalledWith(f.deps, { teamId: TEAM, userId: DAVE }, undefined);
    expect(open.bodies[0]).toMatchObject({ trigger_id: 'shortcut.trigger', view: { callback_id: VIEW_INFO } });
    const view = update.bodies[0]!['view'] as { blocks: { block_id?: string }[] };
    expect(update.bodies[0]).toMatchObject({ view_id: 'V0FORM001', hash: 'h-1' });
    expect(view).toMatchObject({ callback_id: VIEW_FORM, private_metadata: nthRequestId(1) });
    expect(view.blocks.map((b) => b.block_id)).toContain('channel');
  });

  it('tells someone who may not request backups so, in the modal', async () => {
    const open = expectSlackCall(bot.timeline, 'views.open', { view: { id: 'V0FORM001', hash: 'h-1' } });
    const update = expectSlackCall(bot.timeline, 'views.update');
    await bot.send(shortcut(GUEST));
    open.scope.done();
    update.scope.done();
    expect(JSON.stringify(update.bodies[0]!['view'])).toContain('You may not request backups here.');
  });

  it('never leaves the loading modal up: a failure is told there, and still reaches the error handler', async () => {
    jest.spyOn(requestForm, 'openForm').mockRejectedValue(new Error('database is locked at /var/secret'));
    const open = expectSlackCall(bot.timeline, 'views.open', { view: { id: 'V0FORM001', hash: 'h-1' } });
    const update = expectSlackCall(bot.timeline, 'views.update');
    await expect(bot.send(shortcut(DAVE))).rejects.toThrow('database is locked');
    open.scope.done();
    update.scope.done();
    const text = JSON.stringify(update.bodies[0]!['view']);
    expect(text).toContain('Something went wrong inside the bot');
    expect(text).not.toContain('/var/secret');
  });

  it('opens no draft when Slack gives no view to fill', async () => {
    const spy = traceFlow(requestForm, 'openForm', bot.timeline);
    const open = expectSlackCall(bot.timeline, 'views.open', {});
    await bot.send(shortcut(DAVE));
    open.scope.done();
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('registerRequestForm: redrawing the form on a change', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();

  function change(userId: string, draft: string, callbackId = VIEW_FORM) {
    const stored = { id: 'V0FORM001', hash: 'h-7', userId, view: { callback_id: callbackId, private_metadata: draft } };
    return viewChangePayload(stored, who(userId), 'change.trigger', {
      userId,
      viewId: stored.id,
      blockId: 'policy.prod',
      actionId: FORM_POLICY,
      action: { type: 'external_select', selected_option: { value: DAILY_7D } },
      values: formValues({ policy: DAILY_7D, volumes: [DB_DATA_1] }),
    });
  }

  it('previews once and redraws with the view’s hash, so an older redraw loses to a newer one', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, (app, deps) =>
      registerRequestForm(app, deps, { submitBudgetMs: SUBMIT_BUDGET_MS }),
    );
    const draft = await openDraft(f, DAVE);
    const spy = traceFlow(requestForm, 'previewForm', bot.timeline);
    const update = expectSlackCall(bot.timeline, 'views.update');
    await bot.send(change(DAVE, draft));
    update.scope.done();
    expect(bot.timeline).toEqual(['ack', 'previewForm', 'views.update']);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(update.bodies[0]).toMatchObject({ view_id: 'V0FORM001', hash: 'h-7', view: { private_metadata: draft } });
    expect(JSON.stringify(update.bodies[0]!['view'])).toContain('others-need-approval');
  });

  it('leaves another person’s form alone', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, (app, deps) =>
      registerRequestForm(app, deps, { submitBudgetMs: SUBMIT_BUDGET_MS }),
    );
    const draft = await openDraft(f, DAVE);
    await bot.send(change(ALICE, draft));
    expect(bot.timeline).toEqual(['ack']);
  });

  it('ignores the same action from a view that is not the form', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, (app, deps) =>
      registerRequestForm(app, deps, { submitBudgetMs: SUBMIT_BUDGET_MS }),
    );
    const spy = traceFlow(requestForm, 'previewForm', bot.timeline);
    await bot.send(change(DAVE, await openDraft(f, DAVE), 'some.other.view'));
    expect(spy).not.toHaveBeenCalled();
  });

  it('takes a hash conflict (a newer redraw won) quietly', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, (app, deps) =>
      registerRequestForm(app, deps, { submitBudgetMs: SUBMIT_BUDGET_MS }),
    );
    const draft = await openDraft(f, DAVE);
    const update = expectSlackCall(bot.timeline, 'views.update', { ok: false, error: 'hash_conflict' });
    await expect(bot.send(change(DAVE, draft))).resolves.toBeUndefined();
    update.scope.done();
  });
});
