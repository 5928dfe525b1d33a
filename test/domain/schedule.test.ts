import fc from 'fast-check';
import type { ScheduleFacts } from '../../src/domain/schedule';
import { describeRunTime, nextRun, zoneOffsetMinutes } from '../../src/domain/schedule';

const at = (iso: string) => Date.parse(iso);
const daily: ScheduleFacts = {
  status: 'ON',
  startTime: '02:00',
  timeZone: undefined,
  frequencyDays: 1,
  weekDays: undefined,
};

describe('the next scheduled backup', () => {
  it('is today at the start time when it is still ahead, else tomorrow (UTC when no zone is named)', () => {
    expect(nextRun(daily, at('2026-11-30T01:00:00Z'))?.earliest).toBe(at('2026-11-30T02:00:00Z'));
    expect(nextRun(daily, at('2026-11-30T02:00:00Z'))?.earliest).toBe(at('2026-12-01T02:00:00Z'));
  });

  it('reads the start time in the schedule zone', () => {
    const berlin = { ...daily, timeZone: 'UTC+01:00' };
    // 02:00 at UTC+01:00 is 01:00 UTC.
    expect(nextRun(berlin, at('2026-11-30T00:30:00Z'))?.earliest).toBe(at('2026-11-30T01:00:00Z'));
    const run = nextRun(berlin, at('2026-11-30T00:30:00Z'));
    expect(run && describeRunTime(run, run.earliest)).toBe('Mon 02:00 UTC+01:00');
  });

  it('takes the next listed week day of a weekly schedule, in its zone', () => {
    // 2026-11-30 is a Monday. Wed and Sun at 12:00 UTC+08:00 (04:00 UTC).
    const weekly = {
      ...daily,
      startTime: '12:00',
      timeZone: 'UTC+08:00',
      weekDays: ['SUN', 'WED'],
      frequencyDays: undefined,
    };
    expect(nextRun(weekly, at('2026-11-30T10:00:00Z'))?.earliest).toBe(at('2026-12-02T04:00:00Z'));
    expect(nextRun(weekly, at('2026-12-02T04:00:00Z'))?.earliest).toBe(at('2026-12-06T04:00:00Z'));
  });

  it('picks the first of several start times that is ahead', () => {
    const twice = { ...daily, startTime: '14:00,02:00' };
    expect(nextRun(twice, at('2026-11-30T03:00:00Z'))?.earliest).toBe(at('2026-11-30T14:00:00Z'));
  });

  it('spreads a schedule of every n days over the next n days', () => {
    const every3 = { ...daily, frequencyDays: 3 };
    const run = nextRun(every3, at('2026-11-30T03:00:00Z'));
    expect(run).toMatchObject({ earliest: at('2026-12-01T02:00:00Z'), latest: at('2026-12-03T02:00:00Z') });
  });

  it('has none for a schedule that is off, has no time, or a zone the bot cannot read', () => {
    expect(nextRun({ ...daily, status: 'OFF' }, 0)).toBeUndefined();
    expect(nextRun({ ...daily, startTime: undefined }, 0)).toBeUndefined();
    expect(nextRun({ ...daily, timeZone: 'Europe/Berlin' }, 0)).toBeUndefined();
    expect(zoneOffsetMinutes('UTC-05:30')).toBe(-330);
    expect(zoneOffsetMinutes('UTC+15:00')).toBeUndefined();
  });

  it('is always after the given time and within a week and a day of it (daily or weekly)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: -12, max: 14 }),
        fc.subarray(['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN']),
        (after, hour, zone, weekDays) => {
          const schedule = {
            status: 'ON',
            startTime: `${String(hour).padStart(2, '0')}:30`,
            timeZone: `UTC${zone < 0 ? '-' : '+'}${String(Math.abs(zone)).padStart(2, '0')}:00`,
            frequencyDays: 1,
            weekDays,
          };
          const run = nextRun(schedule, after);
          expect(run).toBeDefined();
          expect(run!.earliest).toBeGreaterThan(after);
          expect(run!.earliest - after).toBeLessThanOrEqual(8 * 86_400_000);
        },
      ),
    );
  });
});
