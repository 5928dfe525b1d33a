import nock from 'nock';
import { StoreUnavailableError } from '../../../src/store/store-errors';
import { OtcNetworkError } from '../../../src/otc/errors';
import { ACTION_APPROVE, BLOCK_COMMENT, INPUT_COMMENT, VIEW_APPROVE, VIEW_FORM } from '../../../src/slack/ids';
import { registerApprovalActions } from '../../../src/slack/listeners/approval-actions';
import { registerFormSubmit, SUBMIT_BUDGET_MS } from '../../../src/slack/listeners/form-submit';
import { useFlowFixture, waitingForApproval } from '../../support/flow-fixture';
import { ALICE, BOB, DAILY_7D, DB_DATA_1 } from '../../support/flow-world';
import { openDraft } from '../../support/form-draft';
import { formValues } from '../../support/form-view-state';
import { clickButton, submitView } from '../../support/interaction';
import { until } from '../../support/until';
import { createListenerApp, expectSlackCall } from '../../support/listener-app';

/**
 * Once a modal was answered with an interim view ("Checking your request…", "Recording your
 * decision…"), a flow that throws must still replace it: a view submission has no response_url, so
 * the error handler cannot tell the person, and the interim view would stay up for good.
 */
describe('a modal whose flow fails after the interim answer', () => {
  const fixture = useFlowFixture();
  afterEach(() => {
    nock.cleanAll();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('replaces “Checking your request…” with the safe sentence when the submit’s cloud read fails', async () => {
    jest.useFakeTimers({
      doNotFake: ['Date', 'nextTick', 'setImmediate', 'queueMicrotask', 'setInterval', 'clearInterval'],
    });
    const f = fixture();
    const bot = createListenerApp(f.deps, (app, deps) => registerFormSubmit(app, deps, SUBMIT_BUDGET_MS));
    const draft = await openDraft(f, ALICE);
    let fail: () => void = () => undefined;
    const failed = new Promise<never>((_resolve, reject) => {
      fail = () => reject(new OtcNetworkError({ method: 'GET', path: '/v2/p/backuppolicy' }, 'connection reset'));
    });
    const listTargets = jest.spyOn(f.cloud, 'listTargets').mockReturnValue(failed);
    const values = formValues({ policy: DAILY_7D, volumes: [DB_DATA_1] });
    const sent = bot.send(
      submitView(ALICE, { id: 'V0FORM001', callbackId: VIEW_FORM, privateMetadata: draft, values }),
    );
    await until('the submit to read the cloud', () => listTargets.mock.calls.length > 0);
    jest.advanceTimersByTime(SUBMIT_BUDGET_MS);
    jest.useRealTimers();
    await until('the interim answer', () => bot.acks.length > 0);
    expect(JSON.stringify(bot.acks[0])).toContain('Checking your request…');

    const update = expectSlackCall(bot.timeline, 'views.update');
    fail();
    await sent.catch(() => undefined);
    update.scope.done();
    expect(JSON.stringify(update.bodies[0]!['view'])).toContain('The cloud did not answer');
  });

  it('answers a submit whose checks fail within the budget with the safe sentence, not a Slack error', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, (app, deps) => registerFormSubmit(app, deps, SUBMIT_BUDGET_MS));
    const draft = await openDraft(f, ALICE);
    jest
      .spyOn(f.cloud, 'listTargets')
      .mockRejectedValue(new OtcNetworkError({ method: 'GET', path: '/v2/p/backuppolicy' }, 'connection reset'));
    const values = formValues({ policy: DAILY_7D, volumes: [DB_DATA_1] });
    await bot
      .send(submitView(ALICE, { id: 'V0FORM001', callbackId: VIEW_FORM, privateMetadata: draft, values }))
      .catch(() => undefined);
    expect(bot.acks).toHaveLength(1);
    expect(JSON.stringify(bot.acks[0])).toContain('The cloud did not answer');
  });

  it('replaces “Checking the request…” after an Approve click with the safe sentence when the store fails', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, registerApprovalActions);
    const request = await waitingForApproval(f);
    jest.spyOn(f.store.requests, 'get').mockRejectedValue(new StoreUnavailableError('database is locked'));
    const open = expectSlackCall(bot.timeline, 'views.open', { view: { id: 'V0DECIDE1', hash: 'h-loading' } });
    const update = expectSlackCall(bot.timeline, 'views.update');
    await bot.send(clickButton(BOB, ACTION_APPROVE, request.id)).catch(() => undefined);
    open.scope.done();
    update.scope.done();
    expect(update.bodies[0]).toMatchObject({ view_id: 'V0DECIDE1' });
    expect(JSON.stringify(update.bodies[0]!['view'])).toContain('The bot cannot record requests right now');
  });

  it('replaces “Recording your decision…” with the safe sentence when the store fails', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, registerApprovalActions);
    const request = await waitingForApproval(f);
    jest.spyOn(f.store.requests, 'transition').mockRejectedValue(new StoreUnavailableError('database is locked'));
    const update = expectSlackCall(bot.timeline, 'views.update');
    const values = { [BLOCK_COMMENT]: { [INPUT_COMMENT]: { type: 'plain_text_input', value: null } } };
    await bot
      .send(submitView(BOB, { callbackId: VIEW_APPROVE, privateMetadata: request.id, values }))
      .catch(() => undefined);
    expect(JSON.stringify(bot.acks[0])).toContain('Recording your decision…');
    update.scope.done();
    expect(JSON.stringify(update.bodies[0]!['view'])).toContain('The bot cannot record requests right now');
  });
});
