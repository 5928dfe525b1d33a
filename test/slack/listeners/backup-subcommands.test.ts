import nock from 'nock';
import * as history from '../../../src/flow/history';
import * as requestForm from '../../../src/flow/request-form';
import { VIEW_FORM } from '../../../src/slack/ids';
import { registerBackupCommand } from '../../../src/slack/listeners/backup-command';
import type { FlowFixture } from '../../support/flow-fixture';
import { recorded, typeCommand, useFlowFixture } from '../../support/flow-fixture';
import { ALICE, BOB, DAVE, INCIDENT, TEAM } from '../../support/flow-world';
import type { ListenerApp } from '../../support/listener-app';
import {
  checkNockAfterEach,
  createListenerApp,
  expectResponse,
  expectSlackCall,
  SLACK_API,
  traceFlow,
} from '../../support/listener-app';
import { nthRequestId } from '../../support/sequential-ids';
import { slashCommand } from '../../support/slash-command';

/** `/backup associate` alone, `status` and `audit`: each hands over to its one flow. */
describe('registerBackupCommand: the form, status and audit', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  let f: FlowFixture;
  let bot: ListenerApp;
  beforeEach(() => {
    f = fixture();
    bot = createListenerApp(f.deps, registerBackupCommand);
  });

  it('opens the form for `associate` alone: the loading modal first, then the draft’s form in its place', async () => {
    const spy = traceFlow(requestForm, 'openForm', bot.timeline);
    const open = expectSlackCall(bot.timeline, 'views.open', { view: { id: 'V0FORM', hash: 'h-1' } });
    const update = expectSlackCall(bot.timeline, 'views.update');
    const command = slashCommand('associate', { userId: DAVE });
    await bot.send(command);
    open.scope.done();
    update.scope.done();
    expect(bot.timeline).toEqual(['ack', 'views.open', 'openForm', 'views.update']);
    expect(spy).toHaveBeenCalledWith(f.deps, { teamId: TEAM, userId: DAVE }, INCIDENT);
    expect(open.bodies[0]).toMatchObject({
      trigger_id: command.trigger_id,
      view: { title: { text: 'Request backup' } },
    });
    expect(update.bodies[0]).toMatchObject({
      view_id: 'V0FORM',
      hash: 'h-1',
      view: { callback_id: VIEW_FORM, private_metadata: nthRequestId(1) },
    });
  });

  it('shows the requester a request’s status', async () => {
    const request = recorded(await typeCommand(f, DAVE, 'daily-7d db-data-1'));
    await f.deps.work.idle();
    const spy = traceFlow(history, 'requestHistory', bot.timeline);
    const command = slashCommand(`status ${request.id}`, { userId: DAVE });
    const reply = expectResponse(bot.timeline, command.response_url!);
    await bot.send(command);
    reply.scope.done();
    expect(bot.timeline).toEqual(['ack', 'requestHistory', 'respond']);
    expect(spy).toHaveBeenCalledTimes(1);
    expect(reply.bodies[0]).toMatchObject({ response_type: 'ephemeral', text: `${request.id}: waiting for approval` });
  });

  it('refuses the status to someone who is neither requester nor approver', async () => {
    const request = recorded(await typeCommand(f, DAVE, 'daily-7d db-data-1'));
    await f.deps.work.idle();
    const command = slashCommand(`status ${request.id}`, { userId: ALICE });
    const reply = expectResponse(bot.timeline, command.response_url!);
    await bot.send(command);
    reply.scope.done();
    expect(reply.bodies[0]!['text']).toMatch(/^Only the person who asked for/);
  });

  it('sends the audit file in a direct message, with everyone’s requests for an approver, and says so', async () => {
    const request = recorded(await typeCommand(f, DAVE, 'daily-7d db-data-1'));
    await f.deps.work.idle();
    const spy = traceFlow(history, 'exportRequests', bot.timeline);
    const dm = expectSlackCall(bot.timeline, 'conversations.open', { channel: { id: 'D0BOBDM' } });
    const url = expectSlackCall(bot.timeline, 'files.getUploadURLExternal', {
      upload_url: `${SLACK_API}/upload/F0AUDIT`,
      file_id: 'F0AUDIT',
    });
    let csv = '';
    const upload = nock(SLACK_API)
      .post('/upload/F0AUDIT')
      .reply(200, (_uri, body) => {
        csv = typeof body === 'string' ? body : JSON.stringify(body);
        return 'OK';
      });
    const complete = expectSlackCall(bot.timeline, 'files.completeUploadExternal', { files: [{ id: 'F0AUDIT' }] });
    const command = slashCommand('audit --days 3', { userId: BOB });
    const reply = expectResponse(bot.timeline, command.response_url!);
    await bot.send(command);
    for (const scope of [dm.scope, url.scope, upload, complete.scope, reply.scope]) scope.done();
    expect(bot.timeline[0]).toBe('ack');
    expect(spy).toHaveBeenCalledWith(f.deps, { teamId: TEAM, userId: BOB }, 3);
    expect(dm.bodies[0]).toMatchObject({ users: BOB });
    expect(complete.bodies[0]).toMatchObject({ channel_id: 'D0BOBDM' });
    expect(csv).toContain(request.id);
    expect(reply.bodies[0]!['text']).toMatch(/^I sent you the audit file in a direct message: everyone/);
  });
});
