import type { BackupSchedule } from '../../otc/types';

/** VBS's week day names, in the order people read them. */
const WEEK_DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;

/** The parts of a policy's schedule, in words; each undefined when the cloud did not say. */
export interface ScheduleWords {
  /** "every day", "every 3 days", "every Sun and Wed". */
  readonly when: string | undefined;
  /** "12:00 UTC+08:00", or "02:00 UTC" (VBS times are UTC unless the policy names a zone). */
  readonly at: string | undefined;
  /** "7 backups", "30 days". */
  readonly keeps: string | undefined;
}

/**
 * A policy's schedule as plain words, for the type-ahead label and the preview. Weekly policies
 * (`week_frequency`) and retention by days (`rentention_day`) read as such, and the start time
 * carries its time zone. Text from the cloud is not escaped here: each surface escapes its own.
 */
export function describeSchedule(p: BackupSchedule): ScheduleWords {
  return {
    when: describeDays(p),
    at: p.startTime === undefined ? undefined : `${p.startTime} ${p.timeZone ?? 'UTC'}`,
    keeps:
      p.retentionCount !== undefined
        ? count(p.retentionCount, 'backup')
        : p.retentionDays === undefined
          ? undefined
          : count(p.retentionDays, 'day'),
  };
}

function describeDays(p: BackupSchedule): string | undefined {
  if (p.weekDays !== undefined && p.weekDays.length > 0) {
    const known = WEEK_DAYS.filter((d) => p.weekDays?.some((w) => w.toUpperCase() === d));
    const unknown = p.weekDays.filter((w) => !(WEEK_DAYS as readonly string[]).includes(w.toUpperCase()));
    const names = [...known.map((d) => `${d.charAt(0)}${d.slice(1).toLowerCase()}`), ...unknown];
    return `every ${joinWords(names)}`;
  }
  if (p.frequencyDays === undefined) return undefined;
  return p.frequencyDays === 1 ? 'every day' : `every ${p.frequencyDays} days`;
}

function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1] ?? ''}`;
}

function count(n: number, one: string): string {
  return `${n} ${n === 1 ? one : `${one}s`}`;
}
