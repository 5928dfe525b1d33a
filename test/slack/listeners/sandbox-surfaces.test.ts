import type { SlackListeners } from '../../../src/slack/listeners/listener-router';
import { eventCallbackBody } from '../../../src/demo/slack-payloads';
import type { FlowDeps } from '../../../src/flow/flow-deps';
import { ACTION_APPROVE } from '../../../src/slack/ids';
import { registerAppHome } from '../../../src/slack/listeners/app-home';
import { registerApprovalActions } from '../../../src/slack/listeners/approval-actions';
import { registerBackupCommand } from '../../../src/slack/listeners/backup-command';
import { registerRequestForm } from '../../../src/slack/listeners/request-form';
import type { FlowFixture } from '../../support/flow-fixture';
import { useFlowFixture, waitingForApproval } from '../../support/flow-fixture';
import { BOB, DAVE, FLOW_CONFIG_YAML, TEAM } from '../../support/flow-world';
import { clickButton } from '../../support/interaction';
import type { ListenerApp } from '../../support/listener-app';
import { checkNockAfterEach, createListenerApp, expectResponse, expectSlackCall } from '../../support/listener-app';
import { slashCommand } from '../../support/slash-command';

const SANDBOX_YAML = FLOW_CONFIG_YAML.replace(
  'cloud:\n  region: eu-de\n',
  'cloud:\n  region: eu-de\n  sandbox: true\n',
);
const MARK = 'sandbox: no real cloud';

function registerAll(app: SlackListeners, deps: FlowDeps): void {
  registerBackupCommand(app, deps);
  registerApprovalActions(app, deps);
  registerAppHome(app, deps);
  registerRequestForm(app, deps, { submitBudgetMs: 2000 });
}

/** The first block of a view or message, as JSON. */
const firstBlock = (body: Record<string, unknown>, key?: string) =>
  JSON.stringify(((key === undefined ? body : (body[key] as Record<string, unknown>))['blocks'] as unknown[])[0]);

describe('what a sandbox bot shows people itself: modals, App Home, replies', () => {
  const fixture = useFlowFixture({ yaml: SANDBOX_YAML });
  checkNockAfterEach();
  let f: FlowFixture;
  let bot: ListenerApp;
  beforeEach(() => {
    f = fixture();
    bot = createListenerApp(f.deps, registerAll);
  });

  it('runs on a sandbox rules file (the replacement hits)', () => {
    expect(f.config.cloud.auth.kind).toBe('sandbox');
  });

  it('marks the approval modals', async () => {
    const request = await waitingForApproval(f);
    const open = expectSlackCall(bot.timeline, 'views.open', { view: { id: 'V0DECIDE1', hash: 'h-1' } });
    const update = expectSlackCall(bot.timeline, 'views.update');
    await bot.send(clickButton(BOB, ACTION_APPROVE, request.id));
    open.scope.done();
    update.scope.done();
    expect(firstBlock(open.bodies[0]!, 'view')).toContain(MARK);
    expect(firstBlock(update.bodies[0]!, 'view')).toContain(MARK);
    expect(JSON.stringify(update.bodies[0])).toContain('Approving adds');
  });

  it('marks the request form', async () => {
    const open = expectSlackCall(bot.timeline, 'views.open', { view: { id: 'V0FORM', hash: 'h-1' } });
    const update = expectSlackCall(bot.timeline, 'views.update');
    await bot.send(slashCommand('associate', { userId: DAVE }));
    open.scope.done();
    update.scope.done();
    expect(firstBlock(open.bodies[0]!, 'view')).toContain(MARK);
    expect(firstBlock(update.bodies[0]!, 'view')).toContain(MARK);
  });

  it('marks the App Home', async () => {
    const publish = expectSlackCall(bot.timeline, 'views.publish');
    const opened = { type: 'app_home_opened', user: BOB, channel: 'D0HOME0001', tab: 'home' };
    await bot.send(JSON.parse(eventCallbackBody(opened, TEAM)) as Record<string, unknown>);
    publish.scope.done();
    expect(firstBlock(publish.bodies[0]!, 'view')).toContain(MARK);
  });

  it('marks a dry run’s reply', async () => {
    const command = slashCommand('associate daily-7d db-data-1 --dry-run', { userId: DAVE });
    const reply = expectResponse(bot.timeline, command.response_url!);
    await bot.send(command);
    reply.scope.done();
    expect(firstBlock(reply.bodies[0]!)).toContain(MARK);
    expect(reply.bodies[0]!['text']).toMatch(/^sandbox: no real cloud · Dry run/);
  });
});

describe('a bot on a real cloud', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();

  it('marks nothing', async () => {
    const f = fixture();
    const bot = createListenerApp(f.deps, registerAll);
    const command = slashCommand('associate daily-7d db-data-1 --dry-run', { userId: DAVE });
    const reply = expectResponse(bot.timeline, command.response_url!);
    await bot.send(command);
    reply.scope.done();
    expect(JSON.stringify(reply.bodies[0])).not.toContain(MARK);
  });
});
