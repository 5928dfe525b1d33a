import type { WebClient } from '@slack/web-api';
import type { BackupRequest } from '../domain/backup-request';
import type { DeliveryResult } from '../flow/ports';
import type { OutboxMessage } from '../store/request-store';
import { stepEnding } from './blocks/step-text';
import { slackErrorName } from './slack-errors';

/**
 * What Slack answers a step's completion once the step cannot be told any more: its token was revoked
 * or has lapsed (a step's token lives until the step ends or times out), or the run is gone. Another
 * attempt cannot help.
 */
const STEP_GONE: ReadonlySet<string> = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'access_denied',
  'function_execution_not_found',
  'execution_not_in_running_state',
]);

/**
 * Tells the workflow step that made the request how it ended, with the step's own token: outputs
 * when the request ran, the reason when it never will. Once its token is forgotten the step was
 * told (or could not be, and the thread says so): nothing is sent again.
 */
export async function completeStep(
  client: WebClient,
  message: OutboxMessage,
  request: BackupRequest,
): Promise<DeliveryResult> {
  const step = request.workflowStep;
  if (step === undefined) return { ok: false, retryable: false, error: 'the request was not made by a workflow step' };
  if (step.token === undefined) return { ok: true };
  const ending = stepEnding(request);
  if (ending === undefined)
    return { ok: false, retryable: false, error: `the request has not ended (${request.state})` };
  const call = { token: step.token, function_execution_id: step.executionId };
  try {
    if (ending.kind === 'success') await client.functions.completeSuccess({ ...call, outputs: { ...ending.outputs } });
    else await client.functions.completeError({ ...call, error: ending.error });
  } catch (e) {
    const name = slackErrorName(e);
    // An earlier claim may have told the step before its answer was lost: Slack then says it is over.
    if (message.claims > 1 && name === 'execution_not_in_running_state') return { ok: true };
    if (STEP_GONE.has(name))
      return {
        ok: false,
        retryable: false,
        stepUnreachable: true,
        error: `Slack no longer accepts the workflow step's token (${name})`,
      };
    // Outputs the manifest does not declare: a bug of this build, which a retry would only repeat.
    if (name === 'parameter_validation_failed') return { ok: false, retryable: false, error: name };
    throw e;
  }
  return { ok: true };
}
