import { WORKSPACE_NOT_ALLOWED } from '../domain/access-rules';
import type { Actor, ChannelRef } from '../domain/actor';
import type { WorkflowStepRef } from '../domain/backup-request';
import type { StepInputs } from '../domain/step-command';
import { readStepCommand } from '../domain/step-command';
import { admitRequest } from './admission';
import { checkRequest } from './check-request';
import { recordRequest } from './record-request';
import type { TypedOutcome } from './typed-request';
import type { SubmitDeps } from './typed-request';

/** What a workflow step's request ends in at once: the typed command's outcomes but a dry run. */
export type StepOutcome = Exclude<TypedOutcome, { kind: 'dry_run' }>;

/**
 * How long a recorded step stands for another delivery of the same run: Slack retries an event for
 * minutes, and an execution id is never reused, so a day loses nothing.
 */
export const STEP_DEDUPE_WINDOW_MS = 24 * 60 * 60_000;

/** A run of the step: Slack's id for it and its token, which the outbox tells the step with. */
export interface StepExecution {
  readonly functionExecutionId: string;
  readonly token: string;
}

/**
 * The "Protect volumes" workflow step: the same request as a typed `/backup associate`, asked by
 * the person the step's `user_context` names. Read by the command's grammar, checked, and recorded
 * with the step's execution; the step is told through the outbox when the request ends (or at once
 * by the caller, when this ends in anything but `accepted` or `duplicate`). Slack may deliver the
 * same run twice: its execution id is the dedupe key, so the second finds the first.
 */
export async function submitStepRequest(
  deps: SubmitDeps,
  actor: Actor,
  channel: ChannelRef,
  inputs: StepInputs,
  execution: StepExecution,
): Promise<StepOutcome> {
  const outcome = await checkAndRecord(deps, actor, channel, inputs, execution);
  deps.logger.info('workflow step handled', {
    outcome: outcome.kind,
    user: actor.userId,
    channel: channel.id,
    functionExecutionId: execution.functionExecutionId,
    ...(outcome.kind === 'accepted' && { requestId: outcome.request.id }),
    ...(outcome.kind === 'duplicate' && { requestId: outcome.existing.id }),
    ...(outcome.kind === 'denied' && { rule: outcome.decision.decidedBy }),
  });
  return outcome;
}

async function checkAndRecord(
  deps: Parameters<typeof submitStepRequest>[0],
  actor: Actor,
  channel: ChannelRef,
  inputs: StepInputs,
  execution: StepExecution,
): Promise<StepOutcome> {
  const admission = admitRequest(deps, actor);
  if (!admission.admitted)
    return admission.why === 'rate_limited'
      ? { kind: 'rate_limited', rate: admission.rate }
      : { kind: 'denied', decision: WORKSPACE_NOT_ALLOWED, checked: undefined };
  const cmd = readStepCommand(inputs, { maxVolumes: deps.config.limits.maxVolumesPerRequest });
  if (!cmd.ok) return { kind: 'invalid', problems: [{ field: 'volumes', text: cmd.error.message }] };
  const checked = await checkRequest(deps, actor, channel, cmd.value, {
    unusableVolumes: 'error',
    // The workflow's field, not where the person typed.
    notInChannel:
      'You are not in the channel this workflow records its request in: join it, or ask the workflow’s owner to pick one you are in.',
  });
  if (checked.kind !== 'checked') return checked;
  const step: WorkflowStepRef = { executionId: execution.functionExecutionId, token: execution.token };
  return recordRequest(deps, actor, channel, checked.checked, {
    id: deps.newRequestId(),
    reason: cmd.value.reason,
    dedupeKey: `workflow-step:${execution.functionExecutionId}`,
    dedupeWindowMs: STEP_DEDUPE_WINDOW_MS,
    step,
  });
}
