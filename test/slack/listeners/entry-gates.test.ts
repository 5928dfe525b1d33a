import type { SlackListeners } from '../../../src/slack/listeners/listener-router';
import { eventCallbackBody } from '../../../src/demo/slack-payloads';
import type { FlowDeps } from '../../../src/flow/flow-deps';
import { ACTION_APPROVE, VIEW_INFO } from '../../../src/slack/ids';
import { registerAppHome } from '../../../src/slack/listeners/app-home';
import { registerApprovalActions } from '../../../src/slack/listeners/approval-actions';
import { registerBackupCommand } from '../../../src/slack/listeners/backup-command';
import type { FlowFixture } from '../../support/flow-fixture';
import { useFlowFixture, waitingForApproval } from '../../support/flow-fixture';
import { ALICE, BOB, DAVE, FLOW_CONFIG_YAML, OTHER_TEAM } from '../../support/flow-world';
import { clickButton } from '../../support/interaction';
import type { ListenerApp } from '../../support/listener-app';
import { checkNockAfterEach, createListenerApp, expectResponse, expectSlackCall } from '../../support/listener-app';
import { slashCommand } from '../../support/slash-command';

const TEN_A_MINUTE = FLOW_CONFIG_YAML.replace(
  / {2}max_volumes_per_request: 5\n( {2}requests_per_user_per_minute: \d+\n)?/,
  '  max_volumes_per_request: 5\n  requests_per_user_per_minute: 10\n',
);

function registerAll(app: SlackListeners, deps: FlowDeps): void {
  registerBackupCommand(app, deps);
  registerApprovalActions(app, deps);
  registerAppHome(app, deps);
}

/** Each entry point from a workspace the bot does not serve: a refusal that reveals nothing, and no file or DM. */
describe('a workspace the bot does not serve, at the listeners', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  let f: FlowFixture;
  let bot: ListenerApp;
  beforeEach(() => {
    f = fixture();
    bot = createListenerApp(f.deps, registerAll);
  });

  it('gets no direct message and no file for /backup audit, only a refusal', async () => {
    const command = slashCommand('audit', { userId: BOB, teamId: OTHER_TEAM });
    const reply = expectResponse(bot.timeline, command.response_url!);
    await bot.send(command);
    reply.scope.done();
    expect(bot.timeline).toEqual(['ack', 'respond']);
    expect(reply.bodies[0]).toMatchObject({ response_type: 'ephemeral' });
    expect(reply.bodies[0]!['text']).toBe('This Slack workspace may not use the backup bot. Nothing was sent.');
  });

  it('is told a request of the served workspace is unknown, on /backup status and on Approve', async () => {
    const request = await waitingForApproval(f, DAVE);
    const command = slashCommand(`status ${request.id}`, { userId: DAVE, teamId: OTHER_TEAM });
    const reply = expectResponse(bot.timeline, command.response_url!);
    await bot.send(command);
    reply.scope.done();
    expect(reply.bodies[0]!['text']).toBe(`There is no request \`${request.id}\` in this workspace.`);

    const open = expectSlackCall(bot.timeline, 'views.open', { view: { id: 'V0DECIDE1', hash: 'h-1' } });
    const update = expectSlackCall(bot.timeline, 'views.update');
    await bot.send(clickButton(BOB, ACTION_APPROVE, request.id, { teamId: OTHER_TEAM }));
    open.scope.done();
    update.scope.done();
    expect(update.bodies[0]).toMatchObject({ view: { callback_id: VIEW_INFO } });
    expect(JSON.stringify(update.bodies[0])).toContain('I do not know that request. Nothing was changed.');
  });

  it('gets an App Home without requests', async () => {
    const request = await waitingForApproval(f, DAVE);
    const publish = expectSlackCall(bot.timeline, 'views.publish');
    const opened = { type: 'app_home_opened', user: BOB, channel: 'D0HOME0001', tab: 'home' };
    await bot.send(JSON.parse(eventCallbackBody(opened, OTHER_TEAM)) as Record<string, unknown>);
    publish.scope.done();
    const view = JSON.stringify(publish.bodies[0]!['view']);
    expect(view).not.toContain(request.id);
    expect(view).toContain('This Slack workspace may not use the backup bot.');
  });
});

describe('the per-person limit, at the listeners', () => {
  const fixture = useFlowFixture({ yaml: TEN_A_MINUTE });
  checkNockAfterEach();

  it('answers the eleventh command of a minute ephemerally with how long to wait', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, registerAll);
    for (let i = 0; i < 10; i += 1) {
      const command = slashCommand('status r-zzzzzzzz', { userId: ALICE });
      const reply = expectResponse(bot.timeline, command.response_url!);
      await bot.send(command);
      reply.scope.done();
    }
    const command = slashCommand('status r-zzzzzzzz', { userId: ALICE });
    const reply = expectResponse(bot.timeline, command.response_url!);
    await bot.send(command);
    reply.scope.done();
    expect(reply.bodies[0]).toMatchObject({
      response_type: 'ephemeral',
      text: 'You have made 10 requests in the last minute; try again in 60 s.',
    });
  });
});
