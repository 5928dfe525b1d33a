import type { BackupRequest, ExecutionOutcome } from './backup-request';
import { hintForCode, NO_REASON_GIVEN } from './otc-hints';
import { outcomeState } from './request-state';

/** Above this many volumes the thread shows the first lines and attaches the full list as CSV. */
export const INLINE_VOLUMES = 25;

export interface SummaryLine {
  readonly volumeId: string;
  readonly name: string;
  /** CBR: the vault it came from (an associate with --move), or went back to (an undo). */
  readonly movedVault: string | undefined;
  /** It was already there (or, removing, already gone): nothing was sent for it. */
  readonly already: boolean;
  readonly availabilityZone: string | undefined;
  readonly pod: string | undefined;
  readonly code: string | undefined;
  /** The cloud's words, or "no reason given by the cloud". */
  readonly message: string | undefined;
  readonly hint: string | undefined;
}

export interface RequestSummary {
  readonly state: 'succeeded' | 'partially_failed' | 'failed';
  readonly added: readonly SummaryLine[];
  readonly failed: readonly SummaryLine[];
  readonly durationMs: number;
}

/** Says once, plainly, what VBS does with a volume that is in another policy (the API cannot list them). */
export const MOVE_NOTE =
  'A volume belongs to at most one backup policy: any volume above that was in another policy has been moved to this one. ' +
  '(VBS cannot list which volumes a policy holds, so the bot cannot say which, if any, moved.)';

/** The summary model of a finished request; the Slack layer renders it. Pure. */
export function buildSummary(
  request: Pick<BackupRequest, 'volumes' | 'moves'>,
  outcome: ExecutionOutcome,
): RequestSummary {
  const names = new Map(request.volumes.map((v) => [v.id, v]));
  const moved = new Map(request.moves.map((m) => [m.volumeId, m.vault.name]));
  const added = outcome.added.map((a) => {
    const v = names.get(a.volumeId);
    return {
      volumeId: a.volumeId,
      name: v?.name ?? a.volumeId,
      movedVault: a.movedFrom === undefined ? undefined : (moved.get(a.volumeId) ?? a.movedFrom),
      already: a.already === true,
      availabilityZone: a.availabilityZone ?? v?.availabilityZone,
      pod: a.pod,
      code: undefined,
      message: undefined,
      hint: undefined,
    };
  });
  const failed = outcome.failed.map((f) => {
    const v = names.get(f.volumeId);
    return {
      volumeId: f.volumeId,
      name: v?.name ?? f.volumeId,
      movedVault: undefined,
      already: false,
      availabilityZone: v?.availabilityZone,
      pod: undefined,
      code: f.code,
      message: f.message ?? (f.code === undefined ? NO_REASON_GIVEN : undefined),
      hint: hintForCode(f.code),
    };
  });
  return {
    state: outcomeState(added.length, failed.length),
    added,
    failed,
    durationMs: Math.max(0, outcome.finishedAt - outcome.startedAt),
  };
}
