import type { BackupRequest, ExecutionOutcome, RequestVolume, VolumeMove } from './backup-request';

/** The volumes a finished associate changed: added (or moved in), not those that were there already. */
export function undoableVolumes(
  request: Pick<BackupRequest, 'volumes'>,
  outcome: Pick<ExecutionOutcome, 'added'>,
): readonly RequestVolume[] {
  const changed = new Set(outcome.added.filter((a) => a.already !== true).map((a) => a.volumeId));
  return request.volumes.filter((v) => changed.has(v.id));
}

/** What an undo of a finished associate asks for: the same target, the changed volumes, moves back. */
export interface UndoPlan {
  readonly volumes: readonly RequestVolume[];
  /** CBR volumes the original moved from another vault: they go back there. */
  readonly moves: readonly VolumeMove[];
}

/**
 * Plans the undo of a finished associate, or says why there is none. VBS cannot tell which policy a
 * volume was in before, so there a moved volume is only taken out; CBR moves it back. `takenOut`:
 * the volumes earlier undos of the request took out (or found out already), which are not asked
 * for again: one may have been added since by another request, whose work it now is.
 */
export function planUndo(
  request: BackupRequest,
  takenOut: ReadonlySet<string> = new Set(),
): UndoPlan | { readonly why: string } {
  if (request.action !== 'associate') return { why: 'only a request that added volumes can be undone' };
  const outcome = request.outcome;
  if (outcome === undefined) return { why: 'the request has not finished' };
  const changed = undoableVolumes(request, outcome);
  if (changed.length === 0) return { why: 'the request added no volume, so there is nothing to undo' };
  const volumes = changed.filter((v) => !takenOut.has(v.id));
  if (volumes.length === 0) return { why: 'earlier undos took out every volume it added' };
  const movedFrom = new Map(
    outcome.added.flatMap((a) => (a.movedFrom === undefined ? [] : [[a.volumeId, a.movedFrom] as const])),
  );
  const moves = request.moves.filter((m) => movedFrom.has(m.volumeId) && !takenOut.has(m.volumeId));
  return { volumes, moves };
}
