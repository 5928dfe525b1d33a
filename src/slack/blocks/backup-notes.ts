import type { BackupRequest, FirstBackup } from '../../domain/backup-request';
import { awaited } from '../../domain/watch';
import { describeRunTime, zoneOffsetMinutes } from '../../domain/schedule';
import type { VolumeId } from '../../domain/ids';
import { code, slackTime, userText } from '../mrkdwn';
import type { SlackMessage } from './kit';
import { message, section } from './kit';
import { targetWords } from './request-words';

function volumeName(request: BackupRequest, id: VolumeId): string {
  return request.volumes.find((v) => v.id === id)?.name ?? id;
}

/** "First backup of `db-data-1` finished at 02:14 (`autobk_e6d2`)." or "…failed: `EXECUTE_FAIL` — reason". */
export function firstBackupLine(request: BackupRequest, f: FirstBackup): string {
  const name = code(volumeName(request, f.volumeId), 100);
  const at = f.at === undefined ? '' : ` at ${slackTime(f.at)}`;
  const backup = f.name === undefined ? '' : ` (${code(f.name, 64)})`;
  if (f.status === 'succeeded') return `:white_check_mark: First backup of ${name} finished${at}${backup}.`;
  const why = f.message === undefined ? '' : ` — ${userText(f.message, 300)}`;
  const word = f.status === 'skipped' ? 'was skipped' : f.status === 'timed_out' ? 'timed out' : 'failed';
  return `:x: First backup of ${name} ${word}${at}: ${code(f.cloudStatus, 32)}${why}${backup}.`;
}

/** The thread line for one volume's first backup, rendered from the request's watch as it is now. */
export function buildFirstBackupNote(request: BackupRequest, volumeId: VolumeId): SlackMessage | undefined {
  const found = request.watch?.found.find((f) => f.volumeId === volumeId);
  if (found === undefined) return undefined;
  const text = firstBackupLine(request, found);
  return message(text.replace(/^:[a-z_]+: /, ''), [section(text)]);
}

/** The warning once the deadline passed with volumes still without a first backup. */
export function buildFirstBackupMissing(request: BackupRequest): SlackMessage | undefined {
  const watch = request.watch;
  if (watch === undefined) return undefined;
  const missing = awaited(watch).map((id) => code(volumeName(request, id), 100));
  if (missing.length === 0) return undefined;
  if (watch.closed === 'unreadable') {
    const text =
      `:warning: I could not read the backups of ${targetWords(request.target)} from the cloud by ${slackTime(watch.deadline)} and after, ` +
      `so I cannot tell whether ${missing.join(', ')} ${missing.length === 1 ? 'has its' : 'have their'} first backup. Check in the console.`;
    return message(text.replace(/^:[a-z_]+: /, ''), [section(text)]);
  }
  const expected =
    request.outcome?.backupNow?.started === true
      ? 'the backup started with --now'
      : `the scheduled backup of ${targetWords(request.target)}`;
  const text =
    `:warning: No first backup yet for ${missing.join(', ')} by ${slackTime(watch.deadline)}: ${expected} did not back ${missing.length === 1 ? 'it' : 'them'} up. ` +
    'Check the policy or vault in the console, or ask again with --now.';
  return message(text.replace(/^:[a-z_]+: /, ''), [section(text)]);
}

/** What the summary says about the first backup: started now, the next scheduled run, or none coming. */
export function firstBackupPlan(request: BackupRequest): string | undefined {
  if (request.action !== 'associate') return undefined;
  const now = request.outcome?.backupNow;
  if (now !== undefined && !now.started)
    return `:warning: The backup could not be started now: ${code(now.code, 40)} ${userText(now.message, 300)}. The volumes are added; the next scheduled run backs them up.`;
  const watch = request.watch;
  const every = request.target.kind === 'policy' ? 'every volume of the policy' : 'every volume in the vault';
  if (now?.started === true) {
    const started = `:arrow_forward: Backup started now (it covers ${every}); I will say here when each volume has its first backup.`;
    const skipped = (now.skipped ?? []).map(
      (s) =>
        `${code(volumeName(request, s.volumeId), 100)} (${code(s.code ?? 'skipped', 40)} ${userText(s.message ?? '', 200)})`,
    );
    return skipped.length === 0
      ? started
      : `${started}\n:warning: The cloud left ${skipped.length === 1 ? 'this volume' : 'these volumes'} out of it: ${skipped.join(', ')}. The next scheduled run backs ${skipped.length === 1 ? 'it' : 'them'} up if the cause is gone.`;
  }
  if (watch?.nextRunAt !== undefined) {
    const schedule = request.target.schedule;
    const offset = zoneOffsetMinutes(schedule?.timeZone) ?? 0;
    const when = describeRunTime({ zone: schedule?.timeZone ?? 'UTC', offsetMinutes: offset }, watch.nextRunAt);
    return `:calendar: Next scheduled backup ${userText(when, 60)}; I will say here when each volume has its first backup.`;
  }
  if (request.outcome !== undefined && request.outcome.added.length > 0)
    return `:warning: ${targetWords(request.target)} has no schedule running, so no backup will come by itself: use --now, or check it in the console.`;
  return undefined;
}

/** The root message's line about first backups, once the watch is over. */
export function protectionLine(request: BackupRequest): string | undefined {
  const watch = request.watch;
  if (watch?.closed === undefined) return undefined;
  const failed = watch.found.filter((f) => f.status !== 'succeeded').length;
  const missing = awaited(watch).length;
  if (failed === 0 && missing === 0) return ':shield: *Protected*: every added volume has its first backup.';
  const unknown = watch.closed === 'unreadable';
  const parts = [
    failed > 0 ? `${failed} failed` : undefined,
    missing > 0 ? `${missing} ${unknown ? 'unknown (the cloud could not be read)' : 'missing'}` : undefined,
  ].filter((x) => x !== undefined);
  return `:warning: First backups: ${watch.found.length - failed} done, ${parts.join(', ')} (see the thread).`;
}
