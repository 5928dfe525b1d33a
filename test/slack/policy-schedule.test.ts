import { asPolicyId } from '../../src/domain/ids';
import type { BackupTarget } from '../../src/otc/types';
import { policyLine } from '../../src/slack/blocks/preview-blocks';
import { describeSchedule } from '../../src/slack/blocks/policy-schedule';
import { policyLabel } from '../../src/slack/listeners/form-options';
import { PLAIN_TEXT, sampleChecked } from '../support/sample-request';

// The weekly policy of the VBS docs' create request: week_frequency SUN, WED; rentention_day 30;
// start_time 12:00 in time_zone UTC+08:00.
const WEEKLY: BackupTarget = {
  kind: 'policy',
  id: asPolicyId('ZZ'),
  name: 'policy_01',
  status: 'ON',
  startTime: '12:00',
  timeZone: 'UTC+08:00',
  frequencyDays: undefined,
  weekDays: ['SUN', 'WED'],
  retentionCount: undefined,
  retentionDays: 30,
  resourceCount: 3,
};
const DAILY: BackupTarget = {
  ...WEEKLY,
  name: 'daily-7d',
  startTime: '02:00',
  timeZone: undefined,
  frequencyDays: 1,
  weekDays: undefined,
  retentionCount: 7,
  retentionDays: undefined,
};

describe('a policy schedule in words', () => {
  it.each([
    ['a weekly policy with its zone', WEEKLY, { when: 'every Wed and Sun', at: '12:00 UTC+08:00', keeps: '30 days' }],
    [
      'a daily policy without a zone (UTC, as VBS documents)',
      DAILY,
      { when: 'every day', at: '02:00 UTC', keeps: '7 backups' },
    ],
    ['every 3 days', { ...DAILY, frequencyDays: 3 }, { when: 'every 3 days', at: '02:00 UTC', keeps: '7 backups' }],
    [
      'week days out of order, one unknown to the bot',
      { ...WEEKLY, weekDays: ['fri', 'MON', 'HOLIDAY'] },
      { when: 'every Mon, Fri and HOLIDAY', at: '12:00 UTC+08:00', keeps: '30 days' },
    ],
    [
      'nothing said',
      { ...WEEKLY, startTime: undefined, weekDays: [], retentionDays: undefined },
      { when: undefined, at: undefined, keeps: undefined },
    ],
  ] as const)('%s', (_what, policy, words) => {
    expect(describeSchedule(policy)).toEqual(words);
  });

  it('labels a weekly policy in the type-ahead with its days, zone and retention days', () => {
    expect(policyLabel(WEEKLY)).toBe('policy_01 · every Wed and Sun at 12:00 UTC+08:00 · keeps 30 days');
    expect(policyLabel(DAILY)).toBe('daily-7d · every day at 02:00 UTC · keeps 7');
  });

  it('shows the weekly schedule and its zone in the preview, not UTC', () => {
    const line = policyLine({ ...sampleChecked(PLAIN_TEXT), target: WEEKLY });
    expect(line).toContain('(starts 12:00 UTC+08:00, every Wed and Sun, keeps 30 days)');
    expect(line).not.toContain(' UTC,');
  });
});
