import type { SandboxCbrPolicy } from './cbr-model';
import type { SandboxPolicy } from './model';
import { VBS_WEEK_DAYS } from './model';

/**
 * When a backup policy runs, on the sandbox clock. Pure: instants are epoch milliseconds.
 *
 * VBS (`scheduled_policy`): `start_time` is one or more UTC times on a full hour (`22:00,00:00`), and
 * `time_zone` (`UTC+02:00`, default UTC) says where a day starts. A day runs when it is one of the
 * `week_frequency` days, or, with `frequency` N, when its number of days since 1970-01-01 (in that time
 * zone) is a multiple of N: VBS documents no anchor for "every N days", the sandbox picks the epoch.
 *
 * CBR (`trigger.properties.pattern`, iCalendar rules): `FREQ=DAILY` or `FREQ=WEEKLY` with `INTERVAL`
 * (default 1), `BYDAY` (`MO`..`SU`), `BYHOUR` and `BYMINUTE` (lists allowed), hours in UTC, counted from
 * the trigger's `start_time` (its day and week, weeks starting on Monday); a missing `BYDAY` (weekly),
 * `BYHOUR` or `BYMINUTE` takes the start time's, as iCalendar does. Other rules never run.
 */
export interface Schedule {
  /** The day number (days since 1970-01-01 where this schedule's days start) an instant falls on. */
  dayOf(instant: number): number;
  /** The runs on one day, ascending. */
  runsOn(day: number): number[];
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Every schedule here runs at least once in this many days, so a search back never needs more. */
const LONGEST_GAP_DAYS = 7 * 53;

/**
 * The last `max` runs in (`after`, `upTo`], ascending. Searches day by day back from `upTo`, at most
 * LONGEST_GAP_DAYS days past the last run found, so a long gap in the clock costs little.
 */
export function lastRuns(schedule: Schedule, after: number, upTo: number, max: number): number[] {
  if (!(upTo > after) || max < 1) return [];
  const found: number[] = [];
  const firstDay = schedule.dayOf(after);
  let quietDays = 0;
  for (let day = schedule.dayOf(upTo); day >= firstDay && quietDays <= LONGEST_GAP_DAYS; day -= 1) {
    const runs = schedule.runsOn(day).filter((t) => t > after && t <= upTo);
    quietDays = runs.length === 0 ? quietDays + 1 : 0;
    found.unshift(...runs);
    if (found.length >= max) break;
  }
  return found.slice(-max);
}

/** `HH:00[,HH:00…]` -> minutes of the day (UTC), in the order given; undefined when malformed. */
export function parseStartTimes(text: string): number[] | undefined {
  const times = text.split(',').map((part) => /^([01]\d|2[0-3]):00$/.exec(part.trim()));
  if (times.some((m) => m === null)) return undefined;
  return times.map((m) => Number(m?.[1]) * 60);
}

/** `UTC+02:00`, `UTC-05:30` -> minutes east of UTC; undefined when malformed. */
export function parseUtcOffset(text: string): number | undefined {
  const m = /^UTC([+-])(\d{2}):(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[3]) > 59 || minutes > 14 * 60) return undefined;
  return m[1] === '-' ? -minutes : minutes;
}

/** A VBS policy's schedule; undefined when it cannot run (malformed fields). */
export function vbsSchedule(policy: SandboxPolicy): Schedule | undefined {
  const times = parseStartTimes(policy.startTime);
  const offset = policy.timeZone === undefined ? 0 : parseUtcOffset(policy.timeZone);
  if (times === undefined || offset === undefined) return undefined;
  const { frequency } = policy;
  const weekDays = new Set((policy.weekFrequency ?? []).map((d) => VBS_WEEK_DAYS.indexOf(d)));
  // Day 0 (1970-01-01) was a Thursday: VBS_WEEK_DAYS index 4.
  const runsThatDay = (day: number): boolean =>
    frequency !== undefined ? mod(day, frequency) === 0 : weekDays.has(mod(day + 4, 7));
  return {
    dayOf: (instant) => Math.floor((instant + offset * MINUTE) / DAY),
    runsOn: (day) =>
      runsThatDay(day)
        ? times.map((t) => day * DAY + (mod(t + offset, 24 * 60) - offset) * MINUTE).sort((a, b) => a - b)
        : [],
  };
}

const ICAL_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** A CBR policy's schedule (all its patterns); undefined when none of them can run. */
export function cbrSchedule(policy: SandboxCbrPolicy): Schedule | undefined {
  const start = parseCbrStartTime(policy.startTime);
  if (start === undefined) return undefined;
  const rules = policy.pattern.map((p) => parseRule(p, start)).filter((r): r is Rule => r !== undefined);
  if (rules.length === 0) return undefined;
  return {
    dayOf: (instant) => Math.floor(instant / DAY),
    runsOn: (day) => [...new Set(rules.flatMap((rule) => rule(day)))].sort((a, b) => a - b),
  };
}

/** The runs of one rule on one (UTC) day. */
type Rule = (day: number) => number[];

function parseRule(pattern: string, start: number): Rule | undefined {
  const parts = new Map<string, string>();
  for (const part of pattern.split(';')) {
    const [key = '', value = ''] = part.split('=');
    parts.set(key.trim().toUpperCase(), value.trim().toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY') return undefined;
  const interval = parts.has('INTERVAL') ? Number(parts.get('INTERVAL')) : 1;
  const startDay = Math.floor(start / DAY);
  const startMinutes = Math.floor((start - startDay * DAY) / MINUTE);
  const hours = numbers(parts.get('BYHOUR'), 23) ?? [Math.floor(startMinutes / 60)];
  const minutes = numbers(parts.get('BYMINUTE'), 59) ?? [startMinutes % 60];
  const byDay = parts.get('BYDAY')?.split(',');
  const days = byDay?.map((d) => ICAL_DAYS.findIndex((name) => name === d));
  if (!(Number.isInteger(interval) && interval >= 1) || hours.length === 0 || minutes.length === 0) return undefined;
  if (days?.some((d) => d < 0) === true) return undefined;
  // Monday is 0 here; day 0 (1970-01-01) was a Thursday.
  const weekday = (day: number): number => mod(day + 3, 7);
  const week = (day: number): number => (day - weekday(day)) / 7;
  const wantedDays = new Set(days ?? (freq === 'WEEKLY' ? [weekday(startDay)] : [0, 1, 2, 3, 4, 5, 6]));
  return (day) => {
    const step = freq === 'DAILY' ? day - startDay : week(day) - week(startDay);
    if (step < 0 || mod(step, interval) !== 0 || !wantedDays.has(weekday(day))) return [];
    return hours.flatMap((h) => minutes.map((m) => day * DAY + (h * 60 + m) * MINUTE)).filter((t) => t >= start);
  };
}

/** A comma-separated list of integers 0..max; undefined when absent; [] when malformed. */
function numbers(text: string | undefined, max: number): number[] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(',').map((v) => (/^\d{1,2}$/.test(v) ? Number(v) : -1));
  return values.every((v) => v >= 0 && v <= max) ? values : [];
}

/** `2024-01-08 09:00:00` (UTC) -> epoch ms. */
function parseCbrStartTime(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (m === null) return undefined;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.slice(1).map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  return Number.isNaN(t) ? undefined : t;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
