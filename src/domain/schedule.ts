import type { EpochMs } from './backup-request';

/** The parts of a backup schedule (a VBS policy's, or the policy bound to a CBR vault) that say when it runs. */
export interface ScheduleFacts {
  /** 'ON' | 'OFF'. */
  readonly status: string;
  /** `HH:mm`, several comma-separated, in `timeZone`. */
  readonly startTime: string | undefined;
  /** `UTC+08:00`, `UTC-05:30`, `UTC`; undefined means UTC. */
  readonly timeZone: string | undefined;
  readonly frequencyDays: number | undefined;
  /** `MON`…`SUN` (VBS names); a weekly schedule. */
  readonly weekDays: readonly string[] | undefined;
}

/** When the next scheduled backup runs: between `earliest` and `latest` (equal when the schedule says exactly). */
export interface NextRun {
  readonly earliest: EpochMs;
  readonly latest: EpochMs;
  /** The zone the schedule's times are in, as the cloud names it (for showing the time). */
  readonly zone: string;
  readonly offsetMinutes: number;
}

const DAY_MS = 86_400_000;
const WEEK_DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

/** Minutes east of UTC for `UTC+08:00` / `UTC-5` / `UTC` / undefined; undefined for a zone the bot cannot read. */
export function zoneOffsetMinutes(zone: string | undefined): number | undefined {
  if (zone === undefined || /^(UTC|GMT|Z)$/i.test(zone.trim())) return 0;
  const m = /^(?:UTC|GMT)\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(zone.trim());
  if (m === null) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? '0');
  if (minutes > 14 * 60) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

function startMinutes(startTime: string | undefined): number[] {
  if (startTime === undefined) return [];
  return startTime
    .split(',')
    .map((t) => /^\s*(\d{1,2}):(\d{2})\s*$/.exec(t))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[1]) < 24 && Number(m[2]) < 60)
    .map((m) => Number(m[1]) * 60 + Number(m[2]))
    .sort((a, b) => a - b);
}

/**
 * The next scheduled run after `after`, or undefined when the schedule runs never (off) or cannot be
 * read. A weekly schedule and a daily one are exact; one that runs every n days (n > 1) can run
 * on any of the next n days (the cloud does not say which day it started counting), so `latest`
 * is up to n - 1 days after `earliest`. Pure.
 */
export function nextRun(schedule: ScheduleFacts, after: EpochMs): NextRun | undefined {
  if (schedule.status.toUpperCase() !== 'ON') return undefined;
  const offsetMinutes = zoneOffsetMinutes(schedule.timeZone);
  const times = startMinutes(schedule.startTime);
  if (offsetMinutes === undefined || times.length === 0) return undefined;
  const days = schedule.weekDays?.map((d) => d.trim().toUpperCase().slice(0, 3)) ?? [];
  const weekly = days.length > 0;
  if (!weekly && schedule.frequencyDays === undefined) return undefined;
  const offsetMs = offsetMinutes * 60_000;
  // Walk the local calendar from the day `after` falls on, at most eight days.
  const localAfter = after + offsetMs;
  const localMidnight = localAfter - (((localAfter % DAY_MS) + DAY_MS) % DAY_MS);
  for (let day = 0; day <= 8; day += 1) {
    const midnight = localMidnight + day * DAY_MS;
    const weekDay = WEEK_DAYS[new Date(midnight).getUTCDay()] ?? 'SUN';
    if (weekly && !days.includes(weekDay)) continue;
    for (const minutes of times) {
      const at = midnight + minutes * 60_000 - offsetMs;
      if (at <= after) continue;
      const spread = weekly ? 0 : Math.max(0, (schedule.frequencyDays ?? 1) - 1) * DAY_MS;
      return { earliest: at, latest: at + spread, zone: schedule.timeZone ?? 'UTC', offsetMinutes };
    }
  }
  return undefined;
}

/** "Mon 02:00 UTC+01:00": a run's time as the schedule's own zone reads it. */
export function describeRunTime(run: Pick<NextRun, 'zone' | 'offsetMinutes'>, at: EpochMs): string {
  const local = new Date(at + run.offsetMinutes * 60_000);
  const day = WEEK_DAYS[local.getUTCDay()] ?? 'SUN';
  const hh = String(local.getUTCHours()).padStart(2, '0');
  const mm = String(local.getUTCMinutes()).padStart(2, '0');
  return `${day.charAt(0)}${day.slice(1).toLowerCase()} ${hh}:${mm} ${run.zone}`;
}
