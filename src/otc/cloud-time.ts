/**
 * Times as VBS and CBR write them: ISO 8601 date-times, often without a zone
 * (`2016-12-02T09:06:46.706` in the VBS task list, `2020-02-21T07:00:54.065135` in CBR's backup list).
 * Both services' docs say these are UTC, so a time without a zone is read as UTC, never in the
 * bot's local zone (which `Date.parse` would use).
 */

const CLOUD_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch ms of a cloud time, UTC unless it names a zone; undefined for absent or unreadable text. */
export function parseCloudTime(text: string | null | undefined): number | undefined {
  if (text === undefined || text === null) return undefined;
  const match = CLOUD_TIME_RE.exec(text.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const ms = Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  const local = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second ?? '0'),
    ms,
  );
  if (!isSameDateTime(local, Number(year), Number(month), Number(day), Number(hour), Number(minute))) return undefined;
  return local - offsetMs(zone);
}

/** Rejects what Date.UTC would roll over (a 31 February, hour 25) instead of reading another time. */
function isSameDateTime(at: number, year: number, month: number, day: number, hour: number, minute: number): boolean {
  const d = new Date(at);
  return (
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month - 1 &&
    d.getUTCDate() === day &&
    d.getUTCHours() === hour &&
    d.getUTCMinutes() === minute
  );
}

/** The zone's offset east of UTC in ms; none (or `Z`) is UTC. */
function offsetMs(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}
