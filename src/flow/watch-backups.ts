import type { AuditEvent, BackupRequest, FirstBackup } from '../domain/backup-request';
import type { MessageIntent } from '../domain/message-intent';
import { afterLook, awaited } from '../domain/watch';
import type { Logger } from '../log/logger';
import { withRequestId } from '../log/logger';
import type { BackupRuns, VolumeBackup } from '../otc/types';
import type { Outbox } from './outbox';
import type { BackupWatches, Clock } from './ports';

export interface WatcherDeps {
  readonly watches: BackupWatches;
  readonly runs: Pick<BackupRuns, 'listBackups'>;
  readonly outbox: Pick<Outbox, 'flushRequest'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This replica's name: the holder of the watches it works. */
  readonly owner: string;
  /** How long a claim on a watch holds (the config's run lease). */
  readonly leaseMs: number;
  /** The first look's wait, which the waits between looks double from. */
  readonly firstLookMs: number;
}

/** Due watches taken per pass, and the cloud listings one pass makes per project at most. */
const DUE_PER_PASS = 50;
const LISTINGS_PER_PROJECT = 5;

const FINISHED: ReadonlySet<VolumeBackup['status']> = new Set(['succeeded', 'failed', 'timed_out', 'skipped']);

function firstBackupOf(b: VolumeBackup): FirstBackup | undefined {
  if (!FINISHED.has(b.status)) return undefined;
  return {
    volumeId: b.volumeId,
    status: b.status as FirstBackup['status'],
    cloudStatus: b.cloudStatus,
    name: b.name,
    at: b.finishedAt ?? b.createdAt,
    message: b.message,
  };
}

/**
 * Watches the first backup of each volume that finished requests added, on one replica at a time
 * (each watch is claimed with a lease). One pass: the due watches are grouped by project and target,
 * each target's backups are listed once for all its watched volumes (at most a few listings per
 * project a pass), and each watch is saved with the thread lines it owes: one per volume as its first
 * backup finishes, the root message edited once all have one, a warning once the deadline passes.
 */
export class BackupWatcher {
  constructor(private readonly deps: WatcherDeps) {}

  async runDue(): Promise<number> {
    const { watches, clock, owner, leaseMs } = this.deps;
    const now = clock.now();
    const claimed: BackupRequest[] = [];
    for (const request of await watches.listDue(now, DUE_PER_PASS)) {
      if (request.watch === undefined) continue;
      if (await watches.claim(request.id, owner, now + leaseMs, now)) claimed.push(request);
    }
    const groups = new Map<string, BackupRequest[]>();
    for (const r of claimed) {
      const key = `${r.project.id}/${r.target.id}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const listings = new Map<string, number>();
    for (const requests of groups.values()) {
      const [first] = requests;
      if (first === undefined) continue;
      const used = listings.get(first.project.id) ?? 0;
      if (used >= LISTINGS_PER_PROJECT) {
        // Over this pass's share for the project: looked at on a later pass (released unchanged).
        for (const r of requests) if (r.watch) await this.save(r, r.watch, []);
        continue;
      }
      listings.set(first.project.id, used + 1);
      await this.look(requests);
    }
    return claimed.length;
  }

  /** One listing for every watched volume of these requests (same project and target). */
  private async look(requests: readonly BackupRequest[]): Promise<void> {
    const [first] = requests;
    if (first === undefined) return;
    const volumeIds = [...new Set(requests.flatMap((r) => (r.watch ? awaited(r.watch) : [])))];
    const since = Math.min(...requests.map((r) => r.watch?.since ?? Number.POSITIVE_INFINITY));
    let backups: readonly VolumeBackup[] = [];
    let failed = false;
    try {
      // The listing's own lines (the cloud call, its retries) name the request when it is for one.
      backups = await withRequestId(requests.length === 1 ? first.id : undefined, () =>
        this.deps.runs.listBackups(first.project, first.target.id, volumeIds, since),
      );
    } catch (e) {
      failed = true;
      // One line per request the listing was for: each request's lines carry its id.
      for (const request of requests)
        this.deps.logger.warn('could not list backups to watch', {
          requestId: request.id,
          target: first.target.id,
          error: e,
        });
    }
    const now = this.deps.clock.now();
    for (const request of requests) {
      const watch = request.watch;
      if (watch === undefined) continue;
      const mine = failed
        ? 'unreadable'
        : backups.filter((b) => (b.createdAt ?? now) >= watch.since).flatMap((b) => firstBackupOf(b) ?? []);
      const next = afterLook(watch, mine, now, { firstLookMs: this.deps.firstLookMs });
      const messages: MessageIntent[] = next.newlyFound.map((f) => ({
        kind: 'thread.first_backup',
        volumeId: f.volumeId,
      }));
      const audit: AuditEvent[] = next.newlyFound.map((f) => ({
        requestId: request.id,
        teamId: request.teamId,
        at: now,
        actor: 'bot',
        kind: 'first_backup',
        detail: {
          volume: request.volumes.find((v) => v.id === f.volumeId)?.name ?? f.volumeId,
          status: f.status,
          name: f.name ?? null,
        },
      }));
      if (next.watch.closed === 'missed' || next.watch.closed === 'unreadable') {
        messages.push({ kind: 'thread.first_backup_missing' });
        audit.push({
          requestId: request.id,
          teamId: request.teamId,
          at: now,
          actor: 'bot',
          kind: 'first_backup_missed',
          detail: {
            volumes: awaited(next.watch).length,
            // Not seen to be missing: the cloud could not be read at the last looks.
            ...(next.watch.closed === 'unreadable' && { unreadable: true }),
          },
        });
      }
      if (next.watch.closed !== undefined) messages.push({ kind: 'root.update' });
      await this.save(request, next.watch, messages, audit);
    }
  }

  private async save(
    request: BackupRequest,
    watch: NonNullable<BackupRequest['watch']>,
    messages: readonly MessageIntent[],
    audit: readonly AuditEvent[] = [],
  ): Promise<void> {
    const { watches, clock, owner, outbox } = this.deps;
    const saved = await watches.save(request.id, owner, watch, clock.now(), {
      messages: [...messages],
      audit: [...audit],
    });
    if (saved === undefined) {
      this.deps.logger.warn('a watch was taken over before it was saved here', { requestId: request.id });
      return;
    }
    if (messages.length > 0) await outbox.flushRequest(request.id);
  }
}
