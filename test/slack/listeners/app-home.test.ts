import { eventCallbackBody } from '../../../src/demo/slack-payloads';
import * as home from '../../../src/flow/home';
import * as requestForm from '../../../src/flow/request-form';
import { ACTION_HOME_REQUEST, VIEW_FORM } from '../../../src/slack/ids';
import { registerAppHome } from '../../../src/slack/listeners/app-home';
import { StoreUnavailableError } from '../../../src/store/store-errors';
import type { FlowFixture } from '../../support/flow-fixture';
import { useFlowFixture, waitingForApproval } from '../../support/flow-fixture';
import { BOB, DAVE, TEAM } from '../../support/flow-world';
import { clickButton } from '../../support/interaction';
import type { ListenerApp } from '../../support/listener-app';
import { checkNockAfterEach, createListenerApp, expectSlackCall, traceFlow } from '../../support/listener-app';

const homeOpened = (userId: string, tab = 'home') =>
  JSON.parse(eventCallbackBody({ type: 'app_home_opened', user: userId, channel: 'D0HOME0001', tab }, TEAM)) as Record<
    string,
    unknown
  >;

describe('registerAppHome', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  let f: FlowFixture;
  let bot: ListenerApp;
  beforeEach(() => {
    f = fixture();
    bot = createListenerApp(f.deps, registerAppHome);
  });

  it('acks the event, reads the home content once and publishes it to the person', async () => {
    const request = await waitingForApproval(f, DAVE);
    const spy = traceFlow(home, 'homeContent', bot.timeline);
    const publish = expectSlackCall(bot.timeline, 'views.publish');
    await bot.send(homeOpened(BOB));
    publish.scope.done();
    expect(bot.timeline).toEqual(['ack', 'homeContent', 'views.publish']);
    expect(spy).toHaveBeenCalledWith(f.deps, { teamId: TEAM, userId: BOB });
    expect(publish.bodies[0]).toMatchObject({ user_id: BOB, view: { type: 'home' } });
    expect(JSON.stringify(publish.bodies[0]!['view'])).toContain(request.id);
  });

  it('publishes again for a retried delivery (the same view; harmless)', async () => {
    const publish = expectSlackCall(bot.timeline, 'views.publish', {}, 2);
    const body = homeOpened(DAVE);
    await bot.send(body);
    await bot.send(body, { retryNum: 1, retryReason: 'http_timeout' });
    publish.scope.done();
    expect(publish.bodies[0]).toEqual(publish.bodies[1]);
  });

  it('publishes the safe sentence, not an old page, when the home content cannot be read', async () => {
    jest.spyOn(f.store.queries, 'listRequests').mockRejectedValue(new StoreUnavailableError('database is locked'));
    const publish = expectSlackCall(bot.timeline, 'views.publish');
    await bot.send(homeOpened(BOB)).catch(() => undefined);
    publish.scope.done();
    expect(JSON.stringify(publish.bodies[0]!['view'])).toContain('The bot cannot record requests right now');
    jest.restoreAllMocks();
  });

  it('does nothing for the Messages tab', async () => {
    const spy = traceFlow(home, 'homeContent', bot.timeline);
    await bot.send(homeOpened(DAVE, 'messages'));
    expect(bot.timeline).toEqual(['ack']);
    expect(spy).not.toHaveBeenCalled();
  });

  it('opens the form from the Request backup button, asking for the channel', async () => {
    const spy = traceFlow(requestForm, 'openForm', bot.timeline);
    const open = expectSlackCall(bot.timeline, 'views.open', { view: { id: 'V0FORM001', hash: 'h-1' } });
    const update = expectSlackCall(bot.timeline, 'views.update');
    const click = clickButton(DAVE, ACTION_HOME_REQUEST, 'request');
    await bot.send(click);
    open.scope.done();
    update.scope.done();
    expect(bot.timeline).toEqual(['ack', 'views.open', 'openForm', 'views.update']);
    expect(spy).toHaveBeenCalledWith(f.deps, { teamId: TEAM, userId: DAVE }, undefined);
    expect(open.bodies[0]).toMatchObject({ trigger_id: click.trigger_id });
    expect(update.bodies[0]).toMatchObject({ view: { callback_id: VIEW_FORM } });
  });
});
