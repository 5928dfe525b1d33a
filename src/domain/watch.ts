import type { BackupWatch, EpochMs, FirstBackup, RequestVolume } from './backup-request';
import type { VolumeId } from './ids';
import type { NextRun } from './schedule';

/** After a backup started with --now, how long the bot waits for each volume's first backup. */
export const GRACE_AFTER_NOW_MS = 60 * 60_000;
/** After the next scheduled run, how long before the bot says a first backup did not come. */
export const GRACE_AFTER_SCHEDULE_MS = 2 * 60 * 60_000;
/** The first look after --now, and the longest wait between two looks. */
export const FIRST_LOOK_MS = 30_000;
export const LONGEST_WAIT_MS = 15 * 60_000;
/** Failed looks in a row after which a watch past its deadline closes as `unreadable`. */
export const LATE_LOOKS = 3;

/** How a watch paces itself (config `execution.first_backup`); the defaults above unless set. */
export interface WatchTimings {
  readonly firstLookMs: number;
  readonly graceAfterNowMs: number;
  readonly graceAfterScheduleMs: number;
}

export const DEFAULT_WATCH_TIMINGS: WatchTimings = {
  firstLookMs: FIRST_LOOK_MS,
  graceAfterNowMs: GRACE_AFTER_NOW_MS,
  graceAfterScheduleMs: GRACE_AFTER_SCHEDULE_MS,
};

/**
 * The watch a finished associate starts, or undefined when there is nothing to wait for: no
 * volume was added, or no backup is coming (no --now, and the schedule is off or unknown). Pure.
 */
export function startWatch(
  volumes: readonly RequestVolume[],
  now: EpochMs,
  started: {
    readonly backupNow: boolean;
    readonly nextRun: NextRun | undefined;
    /** Backups created from this time on count: the run's start, so a --now backup started during it counts. */
    readonly since: EpochMs;
  },
  timings: WatchTimings = DEFAULT_WATCH_TIMINGS,
): BackupWatch | undefined {
  if (volumes.length === 0) return undefined;
  const next = started.nextRun;
  if (!started.backupNow && next === undefined) return undefined;
  const deadline = started.backupNow
    ? now + timings.graceAfterNowMs
    : (next?.latest ?? now) + timings.graceAfterScheduleMs;
  const firstLook = (started.backupNow ? now : (next?.earliest ?? now)) + timings.firstLookMs;
  return {
    since: started.since,
    deadline,
    nextRunAt: next?.earliest,
    volumeIds: volumes.map((v) => v.id),
    found: [],
    checks: 0,
    nextCheckAt: Math.min(firstLook, deadline),
    closed: undefined,
  };
}

/** The volumes still without a first backup. */
export function awaited(watch: BackupWatch): VolumeId[] {
  const seen = new Set(watch.found.map((f) => f.volumeId));
  return watch.volumeIds.filter((id) => !seen.has(id));
}

/**
 * A watch after one look at the cloud: the first finished backup of each awaited volume is kept
 * (the oldest), and the watch closes when all have one or the deadline has passed; otherwise the
 * next look backs off (doubling from the first look, at most LONGEST_WAIT_MS, never past the
 * deadline). A look that could not read the cloud (`unreadable`) finds nothing and says nothing
 * was missed: past the deadline the watch looks again, and after LATE_LOOKS such looks in a row
 * closes as `unreadable`. Returns the new watch and the volumes newly found. Pure.
 */
export function afterLook(
  watch: BackupWatch,
  finished: readonly FirstBackup[] | 'unreadable',
  now: EpochMs,
  timings: Pick<WatchTimings, 'firstLookMs'> = DEFAULT_WATCH_TIMINGS,
): { readonly watch: BackupWatch; readonly newlyFound: readonly FirstBackup[] } {
  const checks = watch.checks + 1;
  const wait = Math.min(LONGEST_WAIT_MS, timings.firstLookMs * 2 ** Math.min(checks, 10));
  if (finished === 'unreadable') {
    const failedLooks = (watch.failedLooks ?? 0) + 1;
    const late = now >= watch.deadline;
    const closed = late && failedLooks >= LATE_LOOKS ? 'unreadable' : undefined;
    const nextCheckAt = closed !== undefined ? undefined : late ? now + wait : Math.min(now + wait, watch.deadline);
    return { watch: { ...watch, checks, failedLooks, closed, nextCheckAt }, newlyFound: [] };
  }
  const waiting = new Set(awaited(watch));
  const newlyFound: FirstBackup[] = [];
  for (const b of [...finished].sort((a, c) => (a.at ?? 0) - (c.at ?? 0))) {
    if (!waiting.has(b.volumeId)) continue;
    waiting.delete(b.volumeId);
    newlyFound.push(b);
  }
  const found = [...watch.found, ...newlyFound];
  const closed = waiting.size === 0 ? 'all_done' : now >= watch.deadline ? 'missed' : undefined;
  // The cloud was read: the failed looks before this one no longer count.
  const { failedLooks: _readAgain, ...read } = watch;
  return {
    watch: {
      ...read,
      found,
      checks,
      closed,
      nextCheckAt: closed === undefined ? Math.min(now + wait, watch.deadline) : undefined,
    },
    newlyFound,
  };
}
