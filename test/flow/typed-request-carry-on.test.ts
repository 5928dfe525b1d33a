import { OtcNetworkError } from '../../src/otc/errors';
import { auditKinds, recorded, stored, typeCommand, useFlowFixture } from '../support/flow-fixture';
import { ALICE, DAILY_7D, DAVE, DB_DATA_1, DB_DATA_2, INCIDENT, PROD } from '../support/flow-world';
import { APPROVAL_CHANNEL } from '../support/recording-deliverer';

/** What an accepted typed request goes on to do in the background: its messages, its run, its record. */
describe('submitTypedRequest: carrying an accepted request on', () => {
  const fixture = useFlowFixture();

  it('posts the root message, then runs, then posts the summary and edits the root, ending succeeded', async () => {
    const f = fixture();
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1 db-data-2'));
    await f.deps.work.idle();
    expect(f.deliverer.deliveries).toEqual([
      { requestId: request.id, kind: 'root.post', state: 'allowed' },
      { requestId: request.id, kind: 'thread.summary', state: 'succeeded' },
      { requestId: request.id, kind: 'root.update', state: 'succeeded' },
    ]);
    const done = await stored(f, request.id);
    expect(done.state).toBe('succeeded');
    expect(done.rootMessage).toEqual({ channel: INCIDENT, ts: expect.any(String) });
    expect(done.outcome?.added.map((a) => a.volumeId)).toEqual([DB_DATA_1, DB_DATA_2]);
    expect(f.cloud.associateCalls).toEqual([
      { projectId: PROD, policyId: DAILY_7D, volumeIds: [DB_DATA_1, DB_DATA_2] },
    ]);
  });

  it('answers before the run: the request is still allowed when submitTypedRequest returns', async () => {
    const f = fixture();
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    expect(request.state).toBe('allowed');
    expect(f.deps.work.size).toBe(1);
    await f.deps.work.idle();
    expect((await stored(f, request.id)).state).toBe('succeeded');
  });

  it('writes the audit trail from receipt to finish, in order', async () => {
    const f = fixture();
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    await f.deps.work.idle();
    expect(await auditKinds(f, request.id)).toEqual([
      'received',
      'decided',
      'message_posted',
      'started',
      'cloud_call',
      'finished',
      'message_posted',
      'message_posted',
    ]);
  });

  it('ends partially failed when the cloud refuses one volume, with its code', async () => {
    const f = fixture();
    f.cloud.failures.set(DB_DATA_2, { code: 'AutoBackup.0206', message: 'disk status invalid' });
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1 db-data-2'));
    await f.deps.work.idle();
    const done = await stored(f, request.id);
    expect(done.state).toBe('partially_failed');
    expect(done.outcome?.failed).toEqual([
      { volumeId: DB_DATA_2, code: 'AutoBackup.0206', message: 'disk status invalid' },
    ]);
  });

  it('ends failed, and still posts the summary, when the cloud call throws', async () => {
    const f = fixture();
    f.cloud.associateError = new OtcNetworkError({ method: 'POST', path: '/v2/p/backuppolicyresources' }, 'reset');
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    await f.deps.work.idle();
    expect((await stored(f, request.id)).state).toBe('failed');
    expect(f.deliverer.kinds(request.id)).toContain('thread.summary');
  });

  it('posts the root message, the waiting note and the approval card for a request that needs approval, and does not run it', async () => {
    const f = fixture();
    const request = recorded(await typeCommand(f, DAVE, 'daily-7d db-data-1'));
    await f.deps.work.idle();
    expect(f.deliverer.kinds(request.id)).toEqual(['root.post', 'thread.note:waiting', 'card.post']);
    expect(f.cloud.count('associate')).toBe(0);
    const waiting = await stored(f, request.id);
    expect(waiting.state).toBe('pending_approval');
    expect(waiting.approvalMessage).toEqual({ channel: APPROVAL_CHANNEL, ts: expect.any(String) });
    expect(await auditKinds(f, request.id)).toEqual([
      'received',
      'decided',
      'approval_requested',
      'message_posted',
      'message_posted',
      'message_posted',
    ]);
  });

  it('keeps a message Slack did not take in the outbox; the request still runs and the rest waits its turn', async () => {
    const f = fixture();
    f.deliverer.failWith = (kind) =>
      kind === 'root.post' ? { ok: false, retryable: true, error: 'ratelimited' } : undefined;
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    await f.deps.work.idle();
    expect((await stored(f, request.id)).state).toBe('succeeded');
    expect(f.deliverer.kinds(request.id)).toEqual([]);
    const open = await f.store.outbox.listOpen(request.id);
    expect(open.map((m) => m.intent.kind)).toEqual(['root.post', 'thread.summary', 'root.update']);
  });
});
