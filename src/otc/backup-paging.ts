import type { VolumeBackup } from './types';

/**
 * Paging through a list the cloud sorts newest first (VBS backup tasks, CBR backups) by `offset`,
 * down to a time: the pages past it hold only older entries, so they are not asked for. And picking
 * from what was read: the backups of some volumes since a time, or a volume's newest.
 */

/** At most this many pages of backups are read for one question (a cloud that ignores `offset` ends here). */
export const MAX_BACKUP_PAGES = 20;
/** Backups (or VBS tasks) per page unless configured. */
export const DEFAULT_BACKUP_PAGE_SIZE = 100;

/** One page as asked for: where it starts and how long it may be. */
export interface PageRequest {
  /** Entries read before this page; 0 for the first. */
  readonly offset: number;
  readonly limit: number;
}

/** How to page and when to stop. */
export interface NewestFirstPaging<T> {
  readonly pageSize: number;
  /** At most this many pages are asked for, whatever the cloud answers (one that ignores `offset`). */
  readonly maxPages: number;
  /** Entries created before this (epoch ms) are not wanted: a page that reaches one is the last. */
  readonly since: number;
  /** The entries of one page, newest first. */
  readonly fetchPage: (page: PageRequest) => Promise<readonly T[]>;
  /** An entry's identity, to read an entry that moved to the next page (a newer one came in) once. */
  readonly keyOf: (item: T) => string;
  /** Epoch ms the entry was created; undefined when the cloud gave no time. */
  readonly createdAtOf: (item: T) => number | undefined;
}

/**
 * Every distinct entry on the pages read, in the order read. Stops after a page that is empty, short,
 * brings nothing new, or holds an entry created before `since`, and after `maxPages` pages. A newer
 * entry that arrives meanwhile shifts the others by one: the shifted entry is read twice and kept
 * once, and none is skipped. The lists' `count` is not read: the docs do not say whether it counts
 * every page or this one, and the short page that ends a list costs at most one more call.
 */
export async function readNewestFirst<T>(paging: NewestFirstPaging<T>): Promise<T[]> {
  const seen = new Map<string, T>();
  let read = 0;
  for (let page = 0; page < paging.maxPages; page += 1) {
    const items = await paging.fetchPage({ offset: read, limit: paging.pageSize });
    let fresh = 0;
    for (const item of items) {
      const key = paging.keyOf(item);
      if (!seen.has(key)) fresh += 1;
      seen.set(key, item);
    }
    read += items.length;
    const reachedSince = items.some((item) => (paging.createdAtOf(item) ?? Infinity) < paging.since);
    if (fresh === 0 || items.length < paging.pageSize || reachedSince) break;
  }
  return [...seen.values()];
}

/**
 * The backups of these volumes created at or after `since`, oldest first (the same time keeps the
 * order read). A backup without a creation time is left out: it cannot be told to be recent.
 */
export function backupsSince(
  backups: readonly VolumeBackup[],
  volumeIds: readonly string[],
  since: number,
): VolumeBackup[] {
  const wanted = new Set(volumeIds.map((id) => id.toLowerCase()));
  return backups
    .filter((b) => wanted.has(b.volumeId.toLowerCase()) && b.createdAt !== undefined && b.createdAt >= since)
    .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0));
}

/** The backup created last; one without a time only when none has one (then the first, as the cloud sorted). */
export function newestBackup(backups: readonly VolumeBackup[]): VolumeBackup | undefined {
  let newest: VolumeBackup | undefined;
  for (const b of backups) {
    if (newest === undefined || (b.createdAt ?? -Infinity) > (newest.createdAt ?? -Infinity)) newest = b;
  }
  return newest;
}

/** Only the volume's backups, should a list hold another's (a filter the cloud did not apply). */
export function backupsOf(backups: readonly VolumeBackup[], volumeId: string): VolumeBackup[] {
  return backups.filter((b) => b.volumeId.toLowerCase() === volumeId.toLowerCase());
}
