import nock from 'nock';
import { WebClient } from '@slack/web-api';
import type { BackupRequest } from '../../src/domain/backup-request';
import type { MessageIntent } from '../../src/domain/message-intent';
import { createMemoryLogger } from '../../src/log/logger';
import { SlackMessageDeliverer } from '../../src/slack/message-deliverer';
import { postMetadata } from '../../src/slack/posted-lookup';
import { recorded, stored, typeCommand, useFlowFixture } from '../support/flow-fixture';
import { ALICE } from '../support/flow-world';
import { checkNockAfterEach, expectSlackCall, SLACK_API } from '../support/listener-app';

/**
 * The deliverer says when it rendered the root message now (posted or edited it from the request it
 * was given): only then does the outbox close the root edits owed behind it (flow/outbox.ts).
 */
describe('the deliverer says when it rendered the root message', () => {
  const fixture = useFlowFixture();
  checkNockAfterEach();
  const timeline: string[] = [];
  const deliverer = (): SlackMessageDeliverer =>
    new SlackMessageDeliverer(
      new WebClient('xoxb-test', {
        slackApiUrl: `${SLACK_API}/api/`,
        retryConfig: { retries: 0 },
        logger: createMemoryLogger('error'),
      }),
      'C0APPROVAL',
    );

  async function finished(): Promise<BackupRequest> {
    const f = fixture();
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    await f.deps.work.idle();
    return stored(f, request.id);
  }

  /** The channel's history as Slack answers the look-up: one earlier post (ts 1.000200) with this metadata. */
  const historyHolding = (metadata: ReturnType<typeof postMetadata>) =>
    nock(SLACK_API)
      .post('/api/conversations.history')
      .reply(200, { ok: true, messages: [{ ts: '1.000200', metadata }] });

  const owed = (request: BackupRequest, intent: MessageIntent, claims: number) => ({
    id: 41,
    requestId: request.id,
    intent,
    attempts: claims - 1,
    claims,
    nextAttemptAt: 0,
    createdAt: Date.now(),
    lastError: undefined,
  });

  it('when it posts the root message', async () => {
    const request = { ...(await finished()), rootMessage: undefined };
    const post = expectSlackCall(timeline, 'chat.postMessage', { channel: 'C0INC47110', ts: '1.000300' });
    const result = await deliverer().deliver(owed(request, { kind: 'root.post' }, 1), request);
    post.scope.done();
    expect(result).toEqual({ ok: true, root: { channel: 'C0INC47110', ts: '1.000300' }, rendered: true });
  });

  it('when it edits the root message', async () => {
    const request = await finished();
    const edit = expectSlackCall(timeline, 'chat.update', { ts: request.rootMessage?.ts });
    const result = await deliverer().deliver(owed(request, { kind: 'root.update' }, 1), request);
    edit.scope.done();
    expect(result).toEqual({ ok: true, rendered: true });
  });

  it('not when it finds the post an earlier claim made, nor when the root message was posted before', async () => {
    const posted = await finished();
    const request = { ...posted, rootMessage: undefined };
    const lookup = historyHolding(postMetadata(request.id, 41, 'root.post'));
    const adopted = await deliverer().deliver(owed(request, { kind: 'root.post' }, 2), request);
    lookup.done();
    expect(adopted).toEqual({ ok: true, root: { channel: request.channel.id, ts: '1.000200' } });

    expect(posted.rootMessage).toBeDefined();
    expect(await deliverer().deliver(owed(posted, { kind: 'root.post' }, 1), posted)).toEqual({ ok: true });
  });

  it('does not adopt a post of the same outbox id made for another request (another deployment in the channel)', async () => {
    const posted = await finished();
    const request = { ...posted, rootMessage: undefined };
    const lookup = historyHolding(postMetadata('r-00000000' as typeof request.id, 41, 'root.post'));
    const post = expectSlackCall(timeline, 'chat.postMessage', { channel: 'C0INC47110', ts: '1.000400' });
    const result = await deliverer().deliver(owed(request, { kind: 'root.post' }, 2), request);
    lookup.done();
    post.scope.done();
    expect(result).toEqual({ ok: true, root: { channel: 'C0INC47110', ts: '1.000400' }, rendered: true });
  });
});
