import { createHash } from 'node:crypto';
import { WORKSPACE_NOT_ALLOWED } from '../domain/access-rules';
import type { Actor, ChannelRef } from '../domain/actor';
import type { Approvers } from '../domain/backup-request';
import type { AssociateCommand } from '../domain/command-grammar';
import { admitRequest } from './admission';
import type { CheckedRequest, CheckOutcome } from './check-request';
import { checkRequest } from './check-request';
import type { FlowDeps } from './flow-deps';
import type { RecordOutcome } from './record-request';
import { approversFor, recordRequest } from './record-request';
import type { RateLimit } from './request-limiter';

export type TypedOutcome =
  | Exclude<CheckOutcome, { kind: 'checked' }>
  | { readonly kind: 'rate_limited'; readonly rate: RateLimit }
  | { readonly kind: 'dry_run'; readonly checked: CheckedRequest; readonly approvers: Approvers | undefined }
  | RecordOutcome;

/** The same text from the same person in the same channel: a double submit (whitespace does not count). */
export function doubleSubmitKey(actor: Actor, channelId: string, text: string): string {
  const normalized = text.trim().replace(/\s+/g, ' ');
  return createHash('sha256').update([actor.teamId, actor.userId, channelId, normalized].join('\u0000')).digest('hex');
}

/** What checking and recording a request needs: every entry point that makes one (a command, an undo). */
export type SubmitDeps = Pick<
  FlowDeps,
  | 'config'
  | 'cloud'
  | 'people'
  | 'queries'
  | 'requests'
  | 'clock'
  | 'outbox'
  | 'executor'
  | 'work'
  | 'newRequestId'
  | 'logger'
  | 'workspaces'
  | 'limiter'
>;

/**
 * A typed `/backup associate`: checked (every named volume must be usable), recorded, and carried
 * on (its messages go out and, when allowed, it runs) while the answer goes back. A dry run only
 * shows what would happen, and only to someone the rules would let through: a denial is a
 * denial, dry or not.
 */
export async function submitTypedRequest(
  deps: SubmitDeps,
  actor: Actor,
  channel: ChannelRef,
  text: string,
  cmd: AssociateCommand,
): Promise<TypedOutcome> {
  const admission = admitRequest(deps, actor);
  if (!admission.admitted)
    return admission.why === 'rate_limited'
      ? { kind: 'rate_limited', rate: admission.rate }
      : { kind: 'denied', decision: WORKSPACE_NOT_ALLOWED, checked: undefined };
  const checked = await checkRequest(deps, actor, channel, cmd, { unusableVolumes: 'error' });
  const outcome: TypedOutcome =
    checked.kind !== 'checked'
      ? checked
      : cmd.dryRun
        ? { kind: 'dry_run', checked: checked.checked, approvers: approversFor(deps.config, checked.checked.decision) }
        : await recordRequest(deps, actor, channel, checked.checked, {
            id: deps.newRequestId(),
            reason: cmd.reason,
            dedupeKey: doubleSubmitKey(actor, channel.id, text),
          });
  deps.logger.info('backup command handled', {
    outcome: outcome.kind,
    user: actor.userId,
    channel: channel.id,
    ...(outcome.kind === 'accepted' && { requestId: outcome.request.id }),
    ...(outcome.kind === 'denied' && { rule: outcome.decision.decidedBy }),
    ...(outcome.kind === 'dry_run' && {
      rule: outcome.checked.decision.decidedBy,
      verdict: outcome.checked.decision.verdict,
    }),
  });
  return outcome;
}
