import type { AccessPolicy, AccessRequest, AccessRule } from '../../src/domain/access-rules';
import { ALLOWED_TEAMS_CHECK, NO_RULE_MATCHED, decideAccess } from '../../src/domain/access-rules';

const POLICY_ID = '915d1fd8-63cb-4054-a2b0-2778210e3a75';

const sreOncall: AccessRule = { name: 'sre-oncall', usergroups: ['sre-oncall'], decision: 'allow' };
const incidentSelfService: AccessRule = {
  name: 'incident-self-service',
  channels: ['inc-*'],
  policies: ['daily-*'],
  maxVolumes: 10,
  decision: 'allow',
};
const rules: AccessPolicy = { rules: [sreOncall, incidentSelfService] };

function request(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    teamId: 'T0123ABCD',
    user: { id: 'U0ALICE01', isGuest: false, isBot: false },
    usergroups: [],
    channel: { id: 'C0INC4711', name: 'inc-4711-db' },
    action: 'associate',
    policy: { kind: 'policy', id: POLICY_ID, name: 'daily-7d' },
    project: 'prod',
    volumeCount: 3,
    ...overrides,
  };
}

const cases: Array<[string, AccessPolicy, Partial<AccessRequest>, string, string]> = [
  ['group member is allowed by the group rule', rules, { usergroups: ['sre-oncall'] }, 'allow', 'sre-oncall'],
  ['group handles compare without @ and case', rules, { usergroups: ['@SRE-Oncall'] }, 'allow', 'sre-oncall'],
  ['incident channel self-service', rules, {}, 'allow', 'incident-self-service'],
  ['incident channel but 11 volumes', rules, { volumeCount: 11 }, 'deny', NO_RULE_MATCHED],
  ['incident channel, exactly 10 volumes', rules, { volumeCount: 10 }, 'allow', 'incident-self-service'],
  [
    'incident channel, weekly policy',
    rules,
    { policy: { kind: 'policy', id: POLICY_ID, name: 'weekly-4w' } },
    'deny',
    NO_RULE_MATCHED,
  ],
  ['other channel', rules, { channel: { id: 'C0GENERAL', name: 'general' } }, 'deny', NO_RULE_MATCHED],
  [
    'channel with unknown name does not match a glob',
    rules,
    { channel: { id: 'C0XXXXXXX', name: undefined } },
    'deny',
    NO_RULE_MATCHED,
  ],
  [
    'unknown groups never allow',
    rules,
    { usergroups: undefined, channel: { id: 'C0GENERAL', name: 'general' } },
    'deny',
    NO_RULE_MATCHED,
  ],
  [
    'guest in incident channel is denied',
    rules,
    { user: { id: 'U0GUEST01', isGuest: true, isBot: false } },
    'deny',
    NO_RULE_MATCHED,
  ],
  [
    'guest in the oncall group is denied',
    rules,
    { user: { id: 'U0GUEST01', isGuest: true, isBot: false }, usergroups: ['sre-oncall'] },
    'deny',
    NO_RULE_MATCHED,
  ],
  ['bot is denied', rules, { user: { id: 'B0BOT0001', isGuest: false, isBot: true } }, 'deny', NO_RULE_MATCHED],
  [
    'guest named by a rule is allowed',
    { rules: [{ name: 'contractor', users: ['U0GUEST01'], decision: 'allow' }] },
    { user: { id: 'U0GUEST01', isGuest: true, isBot: false } },
    'allow',
    'contractor',
  ],
  ['no rules at all denies', { rules: [] }, { usergroups: ['sre-oncall'] }, 'deny', NO_RULE_MATCHED],
  [
    'first matching rule wins over a later allow',
    { rules: [{ name: 'freeze', everyone: true, decision: 'deny' }, sreOncall] },
    { usergroups: ['sre-oncall'] },
    'deny',
    'freeze',
  ],
  [
    'require_approval is a decision like the others',
    { rules: [{ name: 'prod-needs-approval', projects: ['prod'], decision: 'require_approval' }] },
    {},
    'require_approval',
    'prod-needs-approval',
  ],
  [
    'project selector misses other projects',
    { rules: [{ name: 'staging', projects: ['staging'], decision: 'allow' }] },
    {},
    'deny',
    NO_RULE_MATCHED,
  ],
  ['channel by id', { rules: [{ name: 'ops', channels: ['C0INC4711'], decision: 'allow' }] }, {}, 'allow', 'ops'],
  ['channel glob with #', { rules: [{ name: 'ops', channels: ['#inc-*'], decision: 'allow' }] }, {}, 'allow', 'ops'],
  [
    'policy by id',
    { rules: [{ name: 'p', policies: [POLICY_ID.toUpperCase()], decision: 'allow' }] },
    {},
    'allow',
    'p',
  ],
  ['policy name exact', { rules: [{ name: 'p', policies: ['daily-7d'], decision: 'allow' }] }, {}, 'allow', 'p'],
  [
    'policy glob does not match a longer name partially',
    { rules: [{ name: 'p', policies: ['daily'], decision: 'allow' }] },
    {},
    'deny',
    NO_RULE_MATCHED,
  ],
  [
    'users selector misses others',
    { rules: [{ name: 'bob', users: ['U0BOB0001'], decision: 'allow' }] },
    {},
    'deny',
    NO_RULE_MATCHED,
  ],
  [
    'everyone: true matches members',
    { rules: [{ name: 'all', everyone: true, decision: 'allow' }] },
    {},
    'allow',
    'all',
  ],
  [
    'workspace not allowed',
    { ...rules, allowedTeamIds: ['T0OTHER00'] },
    { usergroups: ['sre-oncall'] },
    'deny',
    ALLOWED_TEAMS_CHECK,
  ],
  [
    'workspace allowed',
    { ...rules, allowedTeamIds: ['T0123ABCD'] },
    { usergroups: ['sre-oncall'] },
    'allow',
    'sre-oncall',
  ],
  [
    'an empty allowed list allows no workspace (fails closed; the config refuses one anyway)',
    { ...rules, allowedTeamIds: [] },
    { usergroups: ['sre-oncall'] },
    'deny',
    ALLOWED_TEAMS_CHECK,
  ],
];

describe('decideAccess', () => {
  it.each(cases)('%s', (_title, policy, overrides, verdict, decidedBy) => {
    const decision = decideAccess(policy, request(overrides));
    expect(decision.verdict).toBe(verdict);
    expect(decision.decidedBy).toBe(decidedBy);
  });

  it('explains an allow with the selectors that matched', () => {
    expect(decideAccess(rules, request()).reason).toBe(
      'allowed by rule incident-self-service: the channel matches #inc-*, policy daily-7d matches daily-*, 3 of at most 10 volumes',
    );
  });

  it('explains a deny with the nearest misses, so people know what to change', () => {
    const reason = decideAccess(rules, request({ volumeCount: 12 })).reason;
    expect(reason).toContain('sre-oncall: you are not in @sre-oncall');
    expect(reason).toContain('incident-self-service: it allows at most 10 volumes and this request has 12');
  });

  it('says when Slack could not tell the groups', () => {
    const reason = decideAccess({ rules: [sreOncall] }, request({ usergroups: undefined })).reason;
    expect(reason).toContain('Slack could not tell the bot your user groups');
  });

  it('does not skip a group rule that would deny or ask for approval when Slack cannot tell the groups', () => {
    const internsDenied: AccessRule = { name: 'interns-denied', usergroups: ['interns'], decision: 'deny' };
    const internsAsk: AccessRule = { name: 'interns-ask', usergroups: ['interns'], decision: 'require_approval' };
    const everyone: AccessRule = { name: 'everyone-else', everyone: true, decision: 'allow' };
    const unknown = request({ usergroups: undefined });
    for (const rule of [internsDenied, internsAsk])
      expect(decideAccess({ rules: [rule, everyone] }, unknown)).toEqual({
        verdict: 'deny',
        decidedBy: rule.name,
        reason: `Slack could not tell the bot your user groups, and rule ${rule.name} depends on them; try again in a minute`,
      });
    // Known groups: the interns rule decides for interns only.
    expect(decideAccess({ rules: [internsDenied, everyone] }, request({ usergroups: ['interns'] })).verdict).toBe(
      'deny',
    );
    expect(decideAccess({ rules: [internsDenied, everyone] }, request({ usergroups: [] })).decidedBy).toBe(
      'everyone-else',
    );
    // An allow rule that cannot be told is only skipped: a later rule decides.
    expect(decideAccess({ rules: [sreOncall, everyone] }, unknown).decidedBy).toBe('everyone-else');
    // A deny rule whose other selectors do not match this request is no reason to stop.
    const weeklyInternsDenied: AccessRule = { ...internsDenied, policies: ['weekly-*'] };
    expect(decideAccess({ rules: [weeklyInternsDenied, everyone] }, unknown).decidedBy).toBe('everyone-else');
  });

  it('says guests need a rule naming them', () => {
    const reason = decideAccess(rules, request({ user: { id: 'U0GUEST01', isGuest: true, isBot: false } })).reason;
    expect(reason).toContain('guest accounts only match rules that name their user id');
  });
});
