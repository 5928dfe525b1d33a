import { parseBackupCommand } from '../../src/domain/command-grammar';
import { DOUBLE_SUBMIT_WINDOW_MS } from '../../src/flow/record-request';
import { doubleSubmitKey, submitTypedRequest } from '../../src/flow/typed-request';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, associate, channel, recorded, typeCommand, useFlowFixture } from '../support/flow-fixture';
import { ALICE, DAVE, GENERAL, GUEST, INCIDENT, NO_BOT, OTHER_TEAM, STRANGER, TEAM } from '../support/flow-world';
import { HOUR, MINUTE, T0 } from '../support/test-clock';

/** Every request of the workspace in the store. */
const allRequests = (f: FlowFixture) => f.store.queries.listRequests({ teamId: TEAM, since: 0, limit: 100 });

/** `/backup associate` typed: what comes back for each way it can end (carrying on: typed-request-carry-on). */
describe('submitTypedRequest', () => {
  const fixture = useFlowFixture();

  it('refuses a foreign workspace without a single cloud read, and records nothing', async () => {
    const f = fixture();
    const outcome = await typeCommand(f, ALICE, 'daily-7d db-data-1', { teamId: OTHER_TEAM });
    expect(outcome).toMatchObject({ kind: 'denied', decision: { decidedBy: 'slack.allowed_team_ids' } });
    expect(f.cloud.calls).toEqual([]);
    expect(await allRequests(f)).toEqual([]);
  });

  it.each([
    ['invalid', 'daily-7d nonexistent', ALICE, INCIDENT],
    ['cannot_post', 'daily-7d db-data-1', ALICE, NO_BOT],
    ['unknown_user', 'daily-7d db-data-1', STRANGER, INCIDENT],
    ['denied', 'daily-7d db-data-1', GUEST, INCIDENT],
    ['denied', 'legacy-tape db-data-1', ALICE, INCIDENT],
  ])('answers %s for `%s` and records nothing', async (kind, args, userId, channelId) => {
    const f = fixture();
    expect((await typeCommand(f, userId, args, { channelId })).kind).toBe(kind);
    await f.deps.work.idle();
    expect(await allRequests(f)).toEqual([]);
    expect(f.deliverer.deliveries).toEqual([]);
    expect(f.cloud.count('associate')).toBe(0);
  });

  it('refuses a typed volume that cannot be added, rather than leaving it out', async () => {
    const outcome = await typeCommand(fixture(), ALICE, 'daily-7d db-data-1 broken-disk');
    expect(outcome).toEqual({
      kind: 'invalid',
      problems: [{ field: 'volumes', text: expect.stringContaining('`broken-disk`') }],
    });
  });

  it('shows a dry run with its approvers, and records, posts and calls nothing', async () => {
    const f = fixture();
    const outcome = await typeCommand(f, DAVE, 'daily-7d db-data-1 --dry-run');
    expect(outcome).toMatchObject({
      kind: 'dry_run',
      checked: { decision: { verdict: 'require_approval' }, volumes: [{ name: 'db-data-1' }] },
      approvers: { usergroups: ['backup-admins'], users: [] },
    });
    await f.deps.work.idle();
    expect(await allRequests(f)).toEqual([]);
    expect(f.deliverer.deliveries).toEqual([]);
    expect(f.cloud.count('associate')).toBe(0);
  });

  it('shows an allowed dry run without approvers', async () => {
    const outcome = await typeCommand(fixture(), ALICE, 'daily-7d db-data-1 --dry-run');
    expect(outcome).toMatchObject({
      kind: 'dry_run',
      approvers: undefined,
      checked: { decision: { verdict: 'allow' } },
    });
  });

  it('answers a dry run the rules deny with the denial, not a preview', async () => {
    const outcome = await typeCommand(fixture(), ALICE, 'legacy-tape db-data-1 --dry-run');
    expect(outcome.kind).toBe('denied');
  });

  it('records an accepted request under a new id with the trimmed reason and the channel name', async () => {
    const f = fixture();
    const expectedId = f.ids.peek();
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1 --reason "  INC-4711 db disks "'));
    expect(request).toMatchObject({
      id: expectedId,
      teamId: TEAM,
      requesterId: ALICE,
      channel: { id: INCIDENT, name: 'inc-4711' },
      action: 'associate',
      target: { kind: 'policy', name: 'daily-7d' },
      reason: 'INC-4711 db disks',
      state: 'allowed',
      createdAt: T0,
    });
  });

  it('treats the same text twice within the window as one request, and calls the cloud once', async () => {
    const f = fixture();
    const [first, second] = await Promise.all([
      typeCommand(f, ALICE, 'daily-7d db-data-1'),
      typeCommand(f, ALICE, 'daily-7d db-data-1'),
    ]);
    const kinds = [first.kind, second.kind].sort();
    expect(kinds).toEqual(['accepted', 'duplicate']);
    const accepted = first.kind === 'accepted' ? first : second;
    const duplicate = first.kind === 'duplicate' ? first : second;
    expect(duplicate.kind === 'duplicate' && duplicate.existing.id).toBe(recorded(accepted).id);
    await f.deps.work.idle();
    expect(f.cloud.count('associate')).toBe(1);
    expect(await allRequests(f)).toHaveLength(1);
  });

  it('counts text that differs only in whitespace as the same', async () => {
    const f = fixture();
    const send = (text: string) => {
      const parsed = parseBackupCommand(text, { maxVolumes: 100 });
      if (!parsed.ok || parsed.value.kind !== 'associate') throw new Error('bad test command');
      return submitTypedRequest(f.deps, actor(ALICE), channel(), text, parsed.value);
    };
    await send('associate daily-7d db-data-1');
    f.clock.advance(DOUBLE_SUBMIT_WINDOW_MS - 1);
    expect((await send('  associate   daily-7d db-data-1 ')).kind).toBe('duplicate');
  });

  it('makes a new request once the window has passed', async () => {
    const f = fixture();
    const first = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    f.clock.advance(DOUBLE_SUBMIT_WINDOW_MS);
    const second = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    expect(second.id).not.toBe(first.id);
  });

  it('keys a double submit on the person, the channel and the workspace', () => {
    const key = doubleSubmitKey(actor(ALICE), INCIDENT, 'associate daily-7d x');
    expect(doubleSubmitKey(actor(DAVE), INCIDENT, 'associate daily-7d x')).not.toBe(key);
    expect(doubleSubmitKey(actor(ALICE), GENERAL, 'associate daily-7d x')).not.toBe(key);
    expect(doubleSubmitKey(actor(ALICE, OTHER_TEAM), INCIDENT, 'associate daily-7d x')).not.toBe(key);
    expect(doubleSubmitKey(actor(ALICE), INCIDENT, ' associate  daily-7d x')).toBe(key);
  });

  it('records what needs approval with the deciding rule’s approvers and deadline', async () => {
    const request = recorded(await typeCommand(fixture(), DAVE, 'critical-hourly db-data-1 --reason "INC-1"'));
    expect(request.state).toBe('pending_approval');
    expect(request.approval).toMatchObject({
      approvers: { users: ['U0ERIN0001'], usergroups: [] },
      expiresAt: T0 + HOUR,
      remindAt: T0 + 30 * MINUTE,
    });
  });

  it('logs the outcome with the request id', async () => {
    const f = fixture();
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    const line = f.logger.lines.find((l) => l.includes('backup command handled'));
    expect(JSON.parse(line!)).toMatchObject({ outcome: 'accepted', requestId: request.id, user: ALICE });
  });

  it('passes the command it was given to the check (the text only keys double submits)', async () => {
    const f = fixture();
    const cmd = associate('daily-7d db-data-2');
    const request = recorded(await submitTypedRequest(f.deps, actor(ALICE), channel(), 'anything', cmd));
    expect(request.volumes.map((v) => v.name)).toEqual(['db-data-2']);
  });
});
