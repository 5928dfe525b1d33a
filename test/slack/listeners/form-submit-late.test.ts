import * as requestForm from '../../../src/flow/request-form';
import { VIEW_FORM } from '../../../src/slack/ids';
import { registerFormSubmit, SUBMIT_BUDGET_MS } from '../../../src/slack/listeners/form-submit';
import { FakeCloud } from '../../support/fake-cloud';
import { stored, useFlowFixture } from '../../support/flow-fixture';
import { ALICE, DAILY_7D, DB_DATA_1, INCIDENT } from '../../support/flow-world';
import { openDraft } from '../../support/form-draft';
import { formValues } from '../../support/form-view-state';
import { submitView } from '../../support/interaction';
import { until } from '../../support/until';
import { checkNockAfterEach, createListenerApp, expectSlackCall, traceFlow } from '../../support/listener-app';

/**
 * A submit whose checks outlast Slack's patience: the listener answers "checking" when its budget
 * runs out and shows the result in the modal when it comes. setTimeout is faked: the budget runs
 * out exactly when the test advances the clock, never by accident.
 */
describe('registerFormSubmit: a slow submit', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  beforeEach(() => {
    jest.useFakeTimers({
      doNotFake: ['Date', 'nextTick', 'setImmediate', 'queueMicrotask', 'setInterval', 'clearInterval'],
    });
  });
  afterEach(() => jest.useRealTimers());

  it('answers “checking” once the budget is spent, then shows the recorded request in the modal', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, (app, deps) => registerFormSubmit(app, deps, SUBMIT_BUDGET_MS));
    const draft = await openDraft(f, ALICE);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const listTargets = jest.spyOn(f.cloud, 'listTargets').mockImplementation(async (project) => {
      await held;
      return FakeCloud.prototype.listTargets.call(f.cloud, project);
    });
    const spy = traceFlow(requestForm, 'submitForm', bot.timeline);

    const values = formValues({ policy: DAILY_7D, volumes: [DB_DATA_1] });
    const sent = bot.send(
      submitView(ALICE, { id: 'V0FORM001', callbackId: VIEW_FORM, privateMetadata: draft, values }),
    );
    await until('the submit to read the cloud', () => listTargets.mock.calls.length > 0);
    jest.advanceTimersByTime(SUBMIT_BUDGET_MS - 1);
    await until('nothing (one more turn)', () => true);
    expect(bot.acks).toEqual([]);
    jest.advanceTimersByTime(1);
    jest.useRealTimers();
    await until('the ack', () => bot.acks.length > 0);
    expect(bot.acks[0]).toMatchObject({ response_action: 'update' });
    expect(JSON.stringify(bot.acks[0])).toContain('Checking your request…');

    const update = expectSlackCall(bot.timeline, 'views.update');
    release();
    await sent;
    update.scope.done();
    expect(bot.timeline).toEqual(['submitForm', 'ack', 'views.update']);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(update.bodies[0]).toMatchObject({ view_id: 'V0FORM001' });
    expect(JSON.stringify(update.bodies[0]!['view'])).toContain(
      `Request \`${draft}\` is recorded; it continues in <#${INCIDENT}>`,
    );
    expect((await stored(f, draft)).requesterId).toBe(ALICE);
  });

  it('shows a late problem in the modal as a list, saying nothing was changed', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, (app, deps) => registerFormSubmit(app, deps, SUBMIT_BUDGET_MS));
    const draft = await openDraft(f, ALICE);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const listTargets = jest.spyOn(f.cloud, 'listTargets').mockImplementation(async () => {
      await held;
      return [];
    });

    const values = formValues({ policy: DAILY_7D, volumes: [DB_DATA_1] });
    const sent = bot.send(submitView(ALICE, { callbackId: VIEW_FORM, privateMetadata: draft, values }));
    await until('the submit to read the cloud', () => listTargets.mock.calls.length > 0);
    jest.advanceTimersByTime(SUBMIT_BUDGET_MS);
    jest.useRealTimers();
    await until('the ack', () => bot.acks.length > 0);
    const update = expectSlackCall(bot.timeline, 'views.update');
    release();
    await sent;
    update.scope.done();
    const text = JSON.stringify(update.bodies[0]!['view']);
    expect(text).toContain('Nothing was changed. Open the form again to fix this');
    expect(text).toContain(`There is no backup policy with id`);
    expect(await f.store.requests.get(draft)).toBeUndefined();
  });
});
