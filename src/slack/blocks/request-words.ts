import type { BackupRequest, RequestAction, TargetRef } from '../../domain/backup-request';
import { code, plural } from '../mrkdwn';

/** "backup policy `daily-7d`" or "vault `vault-daily`": every message says which. */
export function targetWords(target: Pick<TargetRef, 'kind' | 'name'>): string {
  return `${target.kind === 'policy' ? 'backup policy' : 'vault'} ${code(target.name, 100)}`;
}

/** "add" / "remove", and the preposition that goes with it. */
export function verbOf(action: RequestAction): {
  readonly verb: string;
  readonly prep: 'to' | 'from';
  readonly done: string;
} {
  return action === 'associate'
    ? { verb: 'add', prep: 'to', done: 'added' }
    : { verb: 'remove', prep: 'from', done: 'removed' };
}

type Asked = Pick<BackupRequest, 'action' | 'target' | 'volumes' | 'undoOf'>;

/** "add *3 volumes* to backup policy `x`", "remove *2 volumes* from vault `y`" (bold counts unless `plain`). */
export function askWords(request: Asked, options: { readonly plain?: boolean } = {}): string {
  const { verb, prep } = verbOf(request.action);
  const n = plural(request.volumes.length, 'volume');
  const what = `${verb} ${options.plain === true ? n : `*${n}*`} ${prep} ${targetWords(request.target)}`;
  return request.undoOf === undefined ? what : `undo request ${code(request.undoOf)}: ${what}`;
}

/** "3 volumes to `x`" / "1 volume from `x`": the short form of fallbacks and lists. */
export function shortAsk(request: Pick<BackupRequest, 'action' | 'target' | 'volumes'>): string {
  return `${plural(request.volumes.length, 'volume')} ${verbOf(request.action).prep} ${code(request.target.name, 100)}`;
}
