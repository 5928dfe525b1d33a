import { z } from 'zod';
import type { StepInputs } from '../../domain/step-command';
import type { FlowDeps } from '../../flow/flow-deps';
import type { StepExecution, StepOutcome } from '../../flow/workflow-step';
import { submitStepRequest } from '../../flow/workflow-step';
import { bestEffort } from '../best-effort';
import { stepRefusalText } from '../blocks/step-text';
import { userSafeSentence } from '../error-reply';
import { teamIdOf } from '../payload';
import type { SlackListeners } from './listener-router';

/** The step's callback_id: `functions.protect_volumes` in manifest.yml. */
export const PROTECT_VOLUMES_STEP = 'protect_volumes';

/** An optional text input: Workflow Builder may send a field left empty as "", null or not at all. */
const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v === null || v === undefined || v.trim() === '' ? undefined : v));

/**
 * What the bot reads of a `function_executed` event. `requester` is a `user_context`
 * (`{ id, secret }`): Slack fills it with the person who ran the workflow, and a workflow's author
 * cannot type one, so who asks is a real person, checked like one. Its `secret` is not read.
 */
const StepEvent = z.object({
  function_execution_id: z.string().min(1),
  bot_access_token: z.string().min(1),
  inputs: z.object({
    requester: z.object({ id: z.string().min(1) }),
    channel: z.string().min(1),
    policy: z.string(),
    volumes: z.string(),
    server: optionalText,
    project: optionalText,
    reason: optionalText,
  }),
});

const INPUTS_MISSING =
  'The step needs the person who runs the workflow, the channel for the record, a policy or vault, and the volumes. Nothing was changed.';

interface StepRun {
  readonly requesterId: string;
  readonly channelId: string;
  readonly inputs: StepInputs;
  readonly execution: StepExecution;
}

function readStepRun(event: unknown): StepRun | undefined {
  const parsed = StepEvent.safeParse(event);
  if (!parsed.success) return undefined;
  const { inputs, function_execution_id: functionExecutionId, bot_access_token: token } = parsed.data;
  return {
    requesterId: inputs.requester.id,
    channelId: inputs.channel,
    inputs: {
      policy: inputs.policy,
      volumes: inputs.volumes,
      server: inputs.server,
      project: inputs.project,
      reason: inputs.reason,
    },
    execution: { functionExecutionId, token },
  };
}

/**
 * The "Protect volumes" Workflow Builder step (`function_executed`), acknowledged at once: the same
 * request as a typed `/backup associate`, by the person who ran the workflow. A request that is not
 * made fails the step now, with the sentence the typed command would answer; a recorded one tells
 * the step when it ends, through the outbox (flow/workflow-step.ts). A second delivery of the same
 * run finds the first and does nothing.
 */
export function registerProtectStep(app: SlackListeners, deps: FlowDeps): void {
  app.function(PROTECT_VOLUMES_STEP, { autoAcknowledge: true }, async ({ event, body, fail }) => {
    const failStep = (error: string) => bestEffort(deps.logger, 'fail the workflow step', () => fail({ error }));
    const run = readStepRun(event);
    if (run === undefined) {
      await failStep(INPUTS_MISSING);
      return;
    }
    const actor = { teamId: teamIdOf(body), userId: run.requesterId };
    let outcome: StepOutcome;
    try {
      outcome = await submitStepRequest(deps, actor, { id: run.channelId, name: undefined }, run.inputs, run.execution);
    } catch (e) {
      await failStep(userSafeSentence(e));
      throw e;
    }
    const refusal = stepRefusalText(outcome);
    if (refusal !== undefined) await failStep(refusal);
  });
}
