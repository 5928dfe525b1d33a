import type { Actor } from '../domain/actor';
import type { BackupRequest } from '../domain/backup-request';
import type { AssociateCommand } from '../domain/command-grammar';
import type { RequestId } from '../domain/ids';
import { planUndo } from '../domain/undo';
import { admitRequest, refusalOf } from './admission';
import { approverStatus } from './approvers';
import type { CheckOutcome } from './check-request';
import { checkRequest } from './check-request';
import type { RecordOutcome } from './record-request';
import { recordRequest } from './record-request';
import type { RateLimit } from './request-limiter';
import type { SubmitDeps } from './typed-request';

/** An undo stands for its request this long: a second click finds the first undo instead of making another. */
export const UNDO_DEDUPE_WINDOW_MS = 365 * 24 * 3_600_000;
/** At most this many undos of one request that ended without doing it are followed before a new one is asked. */
const MAX_UNDO_RETRIES = 20;

/**
 * An undo that ended without taking the volumes out (the cloud failed, nobody approved in time, it
 * was cancelled) does not stand for its request: a click asks again. One that is open, succeeded,
 * or that an approver denied does.
 */
function endedUndone(undo: BackupRequest): boolean {
  return (
    undo.state === 'failed' ||
    undo.state === 'partially_failed' ||
    undo.state === 'expired' ||
    undo.state === 'cancelled'
  );
}

export type UndoOutcome =
  | { readonly ok: false; readonly why: 'unknown_request' }
  | { readonly ok: false; readonly why: 'rate_limited'; readonly rate: RateLimit }
  /** Only the requester and the request's approvers may undo it. */
  | { readonly ok: false; readonly why: 'not_allowed' }
  | { readonly ok: false; readonly why: 'approver_unknown' }
  /** Nothing to undo: `text` says why (not finished, added nothing, an undo itself). */
  | { readonly ok: false; readonly why: 'nothing_to_undo'; readonly text: string }
  | { readonly ok: true; readonly outcome: Exclude<CheckOutcome, { kind: 'checked' }> | RecordOutcome };

/** The requester, or someone who approves it (its recorded approvers, else today's global ones). */
async function mayUndo(deps: SubmitDeps, request: BackupRequest, userId: string): Promise<'yes' | 'no' | 'unknown'> {
  if (request.requesterId === userId) return 'yes';
  const approvers = request.approval?.approvers ?? deps.config.approvals?.approvers;
  return approvers === undefined ? 'no' : approverStatus(deps.people, approvers, userId);
}

/**
 * The Undo button of a finished summary: takes out exactly what that request added, as a request
 * of its own (own record, the rules for `disassociate`, approvals, summary), posted in the same
 * thread. On CBR a volume the request moved from another vault goes back there, which the rules
 * must allow as an associate to that vault. Clicking twice finds the first undo, unless that one
 * ended undone (`endedUndone`): then it asks again.
 */
export async function undo(deps: SubmitDeps, actor: Actor, requestId: RequestId): Promise<UndoOutcome> {
  const admission = admitRequest(deps, actor);
  if (!admission.admitted) return refusalOf(admission, 'unknown_request');
  const original = await deps.requests.get(requestId);
  if (original === undefined || original.teamId !== actor.teamId) return { ok: false, why: 'unknown_request' };
  const may = await mayUndo(deps, original, actor.userId);
  if (may === 'unknown') return { ok: false, why: 'approver_unknown' };
  if (may === 'no') return { ok: false, why: 'not_allowed' };
  if (original.undoOf !== undefined)
    return {
      ok: false,
      why: 'nothing_to_undo',
      text: 'This request is itself an undo; ask for the volumes again instead.',
    };
  const channel = { id: original.channel.id, name: original.channel.name };
  // Each undo's key names the one before it that ended undone, so a double click on any of them
  // still finds the one just asked for. The chain is read first: an undo that stands is the answer,
  // and what the ones that ended undone took out is not asked for again.
  let dedupeKey = `undo:${original.id}`;
  const takenOut = new Set<string>();
  for (let tries = 0; ; tries += 1) {
    const earlier = await deps.requests.deduped(dedupeKey, UNDO_DEDUPE_WINDOW_MS, deps.clock.now());
    if (earlier !== undefined && (!endedUndone(earlier) || tries >= MAX_UNDO_RETRIES))
      return logged(deps, actor, original, { kind: 'duplicate', existing: earlier });
    if (earlier !== undefined) {
      for (const done of earlier.outcome?.added ?? []) takenOut.add(done.volumeId);
      dedupeKey = `undo:${original.id}:${earlier.id}`;
      continue;
    }
    const plan = planUndo(original, takenOut);
    if ('why' in plan) return { ok: false, why: 'nothing_to_undo', text: `Nothing to undo: ${plan.why}.` };
    const cmd: AssociateCommand = {
      kind: 'disassociate',
      policy: { kind: 'id', id: original.target.id },
      volumes: plan.volumes.map((v) => ({ kind: 'id', id: v.id })),
      server: undefined,
      project: original.project.name,
      reason: `undo of ${original.id}`,
      dryRun: false,
      move: false,
      backupNow: false,
      notes: [],
    };
    const checked = await checkRequest(deps, actor, channel, cmd, {
      unusableVolumes: 'accept',
      movesBack: plan.moves,
      // A disk deleted since cannot be taken out; the others still are.
      goneVolumes: 'leave_out',
    });
    if (checked.kind !== 'checked') return logged(deps, actor, original, checked);
    const outcome = await recordRequest(deps, actor, channel, checked.checked, {
      id: deps.newRequestId(),
      reason: cmd.reason,
      dedupeKey,
      dedupeWindowMs: UNDO_DEDUPE_WINDOW_MS,
      undo: { of: original.id, thread: original.thread ?? original.rootMessage },
    });
    // Another click recorded one under this key since it was read: that one is the answer (`create`
    // decides atomically), and it is followed like any other if it has already ended undone.
    if (outcome.kind !== 'duplicate' || !endedUndone(outcome.existing) || tries >= MAX_UNDO_RETRIES)
      return logged(deps, actor, original, outcome);
  }
}

function logged(
  deps: SubmitDeps,
  actor: Actor,
  original: BackupRequest,
  outcome: Exclude<CheckOutcome, { kind: 'checked' }> | RecordOutcome,
): UndoOutcome {
  deps.logger.info('undo asked', {
    requestId: original.id,
    user: actor.userId,
    outcome: outcome.kind,
    ...(outcome.kind === 'accepted' && { undoRequestId: outcome.request.id }),
  });
  return { ok: true, outcome };
}
