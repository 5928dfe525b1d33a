import type { Result } from './result';
import { err, ok } from './result';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses "30m", "4h", "1h30m", "2d" into milliseconds. `ms` is there for tests that run the bot
 * as a process and cannot move its clock: a lease of "300ms" runs out without a long wait.
 */
export function parseDuration(text: string): Result<number, string> {
  const trimmed = text.trim();
  // `ms` before `m`, or "500ms" would read as 500 minutes and a stray "s".
  if (!/^(\d+(ms|[smhd]))+$/.test(trimmed)) return err('expected a duration like 30m, 4h, 1h30m or 2d');
  let total = 0;
  for (const m of trimmed.matchAll(/(\d+)(ms|[smhd])/g)) total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  if (total <= 0) return err('a duration must be longer than zero');
  return ok(total);
}
