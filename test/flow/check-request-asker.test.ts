import type { AssociateCommand } from '../../src/domain/command-grammar';
import { checkRequest } from '../../src/flow/check-request';
import type { FlowFixture } from '../support/flow-fixture';
import { actor, associate, channel, useFlowFixture } from '../support/flow-fixture';
import {
  ALICE,
  ARCHIVED,
  BOT_USER,
  DAVE,
  DELETED_USER,
  DIRECT,
  GUEST,
  INCIDENT,
  NAMED_GUEST,
  NO_BOT,
  OTHER_TEAM,
  STRANGER,
} from '../support/flow-world';

/** Who asks, and from where: everything checkRequest settles before it reads the cloud. */
describe('checkRequest: the workspace, the channel and the person', () => {
  const fixture = useFlowFixture();
  const cmd = associate('daily-7d db-data-1');
  const check = (f: FlowFixture, userId: string, channelId = INCIDENT, teamId?: string, c: AssociateCommand = cmd) =>
    checkRequest(f.deps, actor(userId, teamId), channel(channelId), c, { unusableVolumes: 'error' });

  it('refuses a foreign workspace before asking Slack or the cloud anything', async () => {
    const f = fixture();
    const outcome = await check(f, ALICE, INCIDENT, OTHER_TEAM);
    expect(outcome).toEqual({
      kind: 'denied',
      decision: expect.objectContaining({ verdict: 'deny', decidedBy: 'slack.allowed_team_ids' }),
      checked: undefined,
    });
    expect(f.cloud.calls).toEqual([]);
    expect(f.people.calls).toEqual([]);
  });

  it('names the projects when the one asked for does not exist, without reading the cloud', async () => {
    const f = fixture();
    const outcome = await check(f, ALICE, INCIDENT, undefined, associate('daily-7d db-data-1 --project nowhere'));
    expect(outcome).toEqual({
      kind: 'invalid',
      problems: [{ field: 'project', text: expect.stringContaining('`prod`, `staging`, `vaulted`') }],
    });
    expect(f.cloud.calls).toEqual([]);
  });

  it.each([
    ['the bot is not in the channel', NO_BOT, 'not_in_channel'],
    ['the channel is archived', ARCHIVED, 'archived'],
    ['it is a direct message', DIRECT, 'direct_message'],
  ] as const)('cannot post when %s, and reads nothing from the cloud', async (_what, channelId, why) => {
    const f = fixture();
    expect(await check(f, ALICE, channelId)).toEqual({ kind: 'cannot_post', why });
    expect(f.cloud.calls).toEqual([]);
  });

  it('cannot post when Slack cannot tell whether it may (fails closed)', async () => {
    const f = fixture();
    f.people.unknown.add('channels');
    expect(await check(f, ALICE)).toEqual({ kind: 'cannot_post', why: 'unknown' });
    expect(f.cloud.calls).toEqual([]);
  });

  it.each([
    ['Slack does not know of', STRANGER],
    ['whose account was deleted', DELETED_USER],
  ])('treats a person %s as unknown, before any cloud read', async (_what, userId) => {
    const f = fixture();
    expect(await check(f, userId)).toEqual({ kind: 'unknown_user' });
    expect(f.cloud.calls).toEqual([]);
  });

  it('treats everyone as unknown while Slack cannot look people up (fails closed)', async () => {
    const f = fixture();
    f.people.unknown.add('users');
    expect(await check(f, ALICE)).toEqual({ kind: 'unknown_user' });
    expect(f.cloud.calls).toEqual([]);
  });

  it.each([
    ['a guest', GUEST, 'guest accounts'],
    ['a bot', BOT_USER, 'bots'],
  ])('denies %s no rule names before any cloud read', async (_what, userId, who) => {
    const f = fixture();
    const outcome = await check(f, userId);
    expect(outcome).toEqual({
      kind: 'denied',
      decision: expect.objectContaining({ verdict: 'deny', reason: expect.stringContaining(who) }),
      checked: undefined,
    });
    expect(f.cloud.calls).toEqual([]);
  });

  it('lets a guest through whom a rule names by user id', async () => {
    const f = fixture();
    const outcome = await check(f, NAMED_GUEST);
    expect(outcome.kind).toBe('checked');
    if (outcome.kind === 'checked') expect(outcome.checked.decision.decidedBy).toBe('contractor');
  });

  it('decides with the channel name Slack gives, over the one in the payload', async () => {
    const f = fixture();
    const outcome = await checkRequest(f.deps, actor(ALICE), channel(INCIDENT, 'stale-name'), cmd, {
      unusableVolumes: 'error',
    });
    expect(outcome.kind === 'checked' && outcome.checked.channelName).toBe('inc-4711');
  });

  it('does not match a group rule when Slack cannot list the groups: the next rule decides', async () => {
    const f = fixture();
    f.people.unknown.add('groups');
    const outcome = await check(f, ALICE);
    expect(outcome.kind === 'checked' && outcome.checked.decision).toMatchObject({
      verdict: 'require_approval',
      decidedBy: 'others-need-approval',
    });
  });

  it('looks the asker’s groups up from the directory’s cache (not afresh) for a check', async () => {
    const f = fixture();
    await check(f, DAVE);
    expect(f.people.calls).toContainEqual({ method: 'groupsOf', userId: DAVE, fresh: false });
  });
});
