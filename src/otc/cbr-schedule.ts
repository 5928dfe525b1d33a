import type { BackupSchedule } from './types';

/**
 * A CBR policy's trigger as the rest of the bot reads a schedule. CBR writes each start time as an
 * iCalendar recurrence rule (`FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=14;BYMINUTE=00`, or
 * `FREQ=DAILY;INTERVAL=2;BYHOUR=02;BYMINUTE=30`), one rule per time of day.
 */
export type TriggerSchedule = Pick<BackupSchedule, 'startTime' | 'weekDays' | 'frequencyDays'>;

/** A schedule the trigger does not tell (or could be misread). */
const UNKNOWN: TriggerSchedule = Object.freeze({ startTime: undefined, weekDays: undefined, frequencyDays: undefined });

/** CBR's two-letter days (RFC 5545) as VBS names them, Monday first: the names the bot's messages read. */
const WEEK_DAYS: ReadonlyMap<string, string> = new Map([
  ['MO', 'MON'],
  ['TU', 'TUE'],
  ['WE', 'WED'],
  ['TH', 'THU'],
  ['FR', 'FRI'],
  ['SA', 'SAT'],
  ['SU', 'SUN'],
]);

/** The rule parts a schedule is read from; a rule with any other part (BYMONTHDAY, COUNT, ...) is not read. */
const KNOWN_PARTS = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYHOUR', 'BYMINUTE', 'WKST']);

/** Which days one rule runs on: every `interval` days, or on these week days. */
type DayRule =
  { readonly kind: 'daily'; readonly interval: number } | { readonly kind: 'weekly'; readonly days: string[] };

/** One rule: the days it runs on and its start times. */
interface ParsedRule {
  readonly days: DayRule;
  /** `HH:mm` */
  readonly times: readonly string[];
}

/**
 * Reads the trigger patterns of one policy. Several rules are several start times of one schedule
 * (comma-separated, as VBS lists them) when they run on the same days; rules on different days
 * cannot be told as one schedule, and a rule this reader does not understand could be misread:
 * both give an unknown schedule (every field undefined), never a wrong one. Never throws.
 */
export function readTriggerPatterns(patterns: readonly string[]): TriggerSchedule {
  if (patterns.length === 0) return UNKNOWN;
  const rules: ParsedRule[] = [];
  for (const pattern of patterns) {
    const rule = parseRule(pattern);
    if (rule === undefined) return UNKNOWN;
    rules.push(rule);
  }
  const [first] = rules;
  if (first === undefined || !rules.every((r) => sameDays(r.days, first.days))) return UNKNOWN;
  const times = [...new Set(rules.flatMap((r) => r.times))].sort();
  return {
    startTime: times.join(','),
    weekDays: first.days.kind === 'weekly' ? first.days.days : undefined,
    frequencyDays: first.days.kind === 'daily' ? first.days.interval : undefined,
  };
}

/** One rule, or undefined when any part of it is unknown, repeated, missing or out of range. */
function parseRule(pattern: string): ParsedRule | undefined {
  const parts = new Map<string, string>();
  for (const piece of pattern.split(';')) {
    if (piece.trim() === '') continue;
    const [key, value, extra] = piece.split('=').map((s) => s.trim().toUpperCase());
    if (key === undefined || value === undefined || extra !== undefined || value === '') return undefined;
    if (!KNOWN_PARTS.has(key) || parts.has(key)) return undefined;
    parts.set(key, value);
  }
  const hours = readNumbers(parts.get('BYHOUR'), 23);
  const minutes = readNumbers(parts.get('BYMINUTE'), 59);
  const days = readDays(parts);
  if (hours === undefined || minutes === undefined || days === undefined) return undefined;
  const times = hours.flatMap((h) => minutes.map((m) => `${pad(h)}:${pad(m)}`));
  return { days, times };
}

/** The days of a daily (any interval) or weekly (every week, named days) rule; undefined for any other. */
function readDays(parts: ReadonlyMap<string, string>): DayRule | undefined {
  const interval = parts.has('INTERVAL') ? readNumbers(parts.get('INTERVAL'), Number.MAX_SAFE_INTEGER) : [1];
  if (interval?.length !== 1 || interval[0] === undefined || interval[0] < 1) return undefined;
  const byDay = parts.get('BYDAY');
  switch (parts.get('FREQ') ?? '') {
    case 'DAILY':
      return byDay === undefined ? { kind: 'daily', interval: interval[0] } : undefined;
    case 'WEEKLY': {
      // Every other week, or a week day from the rule's start date (no BYDAY), is no VBS schedule.
      if (interval[0] !== 1 || byDay === undefined) return undefined;
      const named = byDay.split(',').map((d) => WEEK_DAYS.get(d.trim()));
      if (named.some((d) => d === undefined)) return undefined;
      return { kind: 'weekly', days: [...WEEK_DAYS.values()].filter((d) => named.includes(d)) };
    }
    default:
      return undefined;
  }
}

/** Comma-separated whole numbers from 0 to `max`; undefined when absent or anything else. */
function readNumbers(text: string | undefined, max: number): number[] | undefined {
  if (text === undefined) return undefined;
  const numbers = text.split(',').map((s) => (/^\d{1,15}$/.test(s.trim()) ? Number(s.trim()) : Number.NaN));
  return numbers.every((n) => Number.isInteger(n) && n <= max) ? numbers : undefined;
}

/** Whether two rules run on the same days. */
function sameDays(a: DayRule, b: DayRule): boolean {
  if (a.kind === 'daily' && b.kind === 'daily') return a.interval === b.interval;
  if (a.kind === 'weekly' && b.kind === 'weekly') return a.days.join() === b.days.join();
  return false;
}

/** Two digits, as in `HH:mm`. */
function pad(n: number): string {
  return String(n).padStart(2, '0');
}
