import { WebClient } from '@slack/web-api';
import nock from 'nock';
import { createMemoryLogger } from '../../src/log/logger';
import { SlackPeopleDirectory } from '../../src/slack/people-directory';

const API = 'https://slack.com';

describe('SlackPeopleDirectory (Slack Web API mocked with nock)', () => {
  let now = 1_000_000;
  const clock = { now: () => now };
  let directory: SlackPeopleDirectory;

  beforeEach(() => {
    now = 1_000_000;
    const client = new WebClient('xoxb-test', { retryConfig: { retries: 0 }, logger: createMemoryLogger('error') });
    directory = new SlackPeopleDirectory(client, clock, createMemoryLogger('error'), 60_000);
  });
  afterEach(() => nock.cleanAll());

  it('reads guest and bot flags from users.info and caches them for a minute', async () => {
    const scope = nock(API)
      .post('/api/users.info', (b: Record<string, string>) => b['user'] === 'U1')
      .reply(200, {
        ok: true,
        user: { id: 'U1', is_restricted: true, is_ultra_restricted: false, is_bot: false, deleted: false },
      })
      .post('/api/users.info')
      .reply(200, { ok: true, user: { id: 'U1', is_restricted: false, is_bot: false } });
    expect(await directory.userFacts('U1')).toEqual({ isGuest: true, isBot: false, deleted: false });
    expect(await directory.userFacts('U1')).toEqual({ isGuest: true, isBot: false, deleted: false });
    expect(scope.pendingMocks()).toHaveLength(1);
    now += 60_001;
    expect(await directory.userFacts('U1')).toEqual({ isGuest: false, isBot: false, deleted: false });
    scope.done();
  });

  it('answers "unknown" when users.info fails', async () => {
    const scope = nock(API).post('/api/users.info').reply(200, { ok: false, error: 'user_not_found' });
    expect(await directory.userFacts('U404')).toBeUndefined();
    scope.done();
  });

  it('finds the groups a user is in, among the handles the rules name', async () => {
    const scope = nock(API)
      .post('/api/usergroups.list')
      .reply(200, {
        ok: true,
        usergroups: [
          { id: 'S1', handle: 'sre-oncall' },
          { id: 'S2', handle: 'backup-admins' },
        ],
      })
      .post('/api/usergroups.users.list', (b: Record<string, string>) => b['usergroup'] === 'S1')
      .reply(200, { ok: true, users: ['U1', 'U2'] })
      .post('/api/usergroups.users.list', (b: Record<string, string>) => b['usergroup'] === 'S2')
      .reply(200, { ok: true, users: ['U3'] });
    expect(await directory.groupsOf('U1', ['@SRE-Oncall', 'backup-admins', 'nonexistent'])).toEqual(['@SRE-Oncall']);
    // Cached: a second look-up makes no call.
    expect(await directory.groupsOf('U3', ['sre-oncall', 'backup-admins'])).toEqual(['backup-admins']);
    scope.done();
  });

  /** usergroups.list and usergroups.users.list, answered up to `times` times each; `calls` counts the members look-ups. */
  function groupScopes(times: number) {
    let memberCalls = 0;
    const scope = nock(API)
      .post('/api/usergroups.list')
      .times(times)
      .reply(200, { ok: true, usergroups: [{ id: 'S2', handle: 'backup-admins' }] })
      .post('/api/usergroups.users.list')
      .times(times)
      .reply(200, () => {
        memberCalls += 1;
        return { ok: true, users: ['U3'] };
      });
    return { scope, calls: () => memberCalls };
  }

  it('makes one call per group for concurrent look-ups, fresh ones too', async () => {
    const { calls } = groupScopes(4);
    const answers = await Promise.all([
      directory.groupsOf('U3', ['backup-admins']),
      directory.groupsOf('U1', ['backup-admins']),
      directory.groupsOf('U3', ['backup-admins'], { fresh: true }),
      directory.groupsOf('U4', ['backup-admins'], { fresh: true }),
    ]);
    expect(answers).toEqual([['backup-admins'], [], ['backup-admins'], []]);
    expect(calls()).toBe(1);
  });

  it('keeps group members for a minute on its clock; a fresh look-up asks again and renews the copy', async () => {
    const { calls } = groupScopes(3);
    await directory.groupsOf('U3', ['backup-admins']);
    now += 59_999;
    await directory.groupsOf('U3', ['backup-admins']);
    expect(calls()).toBe(1);
    await directory.groupsOf('U3', ['backup-admins'], { fresh: true });
    expect(calls()).toBe(2);
    now += 59_999;
    await directory.groupsOf('U3', ['backup-admins']);
    expect(calls()).toBe(2);
    now += 1;
    await directory.groupsOf('U3', ['backup-admins']);
    expect(calls()).toBe(3);
  });

  it('does not keep a failed look-up: the next one asks again', async () => {
    const failing = nock(API).post('/api/usergroups.list').reply(200, { ok: false, error: 'ratelimited' });
    expect(
      await Promise.all([directory.groupsOf('U3', ['backup-admins']), directory.groupsOf('U3', ['backup-admins'])]),
    ).toEqual([undefined, undefined]);
    failing.done();
    const { scope } = groupScopes(1);
    expect(await directory.groupsOf('U3', ['backup-admins'])).toEqual(['backup-admins']);
    scope.done();
  });

  it('answers "unknown" (never a guess) when Slack cannot list the groups', async () => {
    const scope = nock(API).post('/api/usergroups.list').reply(200, { ok: false, error: 'missing_scope' });
    expect(await directory.groupsOf('U1', ['sre-oncall'])).toBeUndefined();
    scope.done();
  });

  it.each([
    [
      'a public channel',
      { ok: true, channel: { id: 'C1', name: 'inc-1', is_private: false, is_member: false } },
      { canPost: true, name: 'inc-1' },
    ],
    [
      'a private channel the bot is in',
      { ok: true, channel: { id: 'G1', name: 'sec', is_private: true, is_member: true } },
      { canPost: true, name: 'sec' },
    ],
    [
      'an archived channel',
      { ok: true, channel: { id: 'C2', name: 'old', is_archived: true } },
      { canPost: false, why: 'archived' },
    ],
    ['a group DM', { ok: true, channel: { id: 'G2', is_mpim: true } }, { canPost: false, why: 'direct_message' }],
    [
      'a private channel without the bot',
      { ok: false, error: 'channel_not_found' },
      { canPost: false, why: 'not_in_channel' },
    ],
    ['a Slack error', { ok: false, error: 'internal_error' }, { canPost: false, why: 'unknown' }],
  ])('knows whether it may post in %s', async (_what, answer, expected) => {
    const scope = nock(API).post('/api/conversations.info').reply(200, answer);
    expect(await directory.channelAccess('C1')).toEqual(expected);
    scope.done();
  });

  it('keeps a yes for a minute, and asks again after a no (the bot was just invited)', async () => {
    const closed = { ok: true, channel: { id: 'G1', name: 'sec', is_private: true, is_member: false } };
    const open = { ok: true, channel: { id: 'G1', name: 'sec', is_private: true, is_member: true } };
    const scope = nock(API)
      .post('/api/conversations.info')
      .reply(200, closed)
      .post('/api/conversations.info')
      .reply(200, open)
      .post('/api/conversations.info')
      .reply(200, { ok: true, channel: { id: 'G1', name: 'sec', is_archived: true } });
    expect(await directory.channelAccess('G1')).toEqual({ canPost: false, why: 'not_in_channel' });
    expect(await directory.channelAccess('G1')).toEqual({ canPost: true, name: 'sec' });
    // A burst of commands in the channel: one call between them.
    const burst = await Promise.all(Array.from({ length: 20 }, () => directory.channelAccess('G1')));
    expect(burst.every((a) => a.canPost)).toBe(true);
    expect(scope.pendingMocks()).toHaveLength(1);
    now += 60_001;
    expect(await directory.channelAccess('G1')).toEqual({ canPost: false, why: 'archived' });
    scope.done();
  });

  it('does not ask Slack about a direct message', async () => {
    expect(await directory.channelAccess('D0123')).toEqual({ canPost: false, why: 'direct_message' });
  });
});
