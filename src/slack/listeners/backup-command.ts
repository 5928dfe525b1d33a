import { parseBackupCommand } from '../../domain/command-grammar';
import type { FlowDeps } from '../../flow/flow-deps';
import type { TypedOutcome } from '../../flow/typed-request';
import { submitTypedRequest } from '../../flow/typed-request';
import { volumeStatus } from '../../flow/volume-status';
import { buildVolumeStatusMessage } from '../blocks/volume-status-blocks';
import { buildRateLimitedMessage } from '../blocks/admission-text';
import type { SlackMessage } from '../blocks/kit';
import {
  buildCannotPostMessage,
  buildDeniedMessage,
  buildDryRunMessage,
  buildDuplicateMessage,
  buildHelpMessage,
  buildNotesMessage,
  buildProblemsMessage,
  buildUnknownUserMessage,
} from '../blocks/reply-blocks';
import { surfaceMarks } from '../blocks/sandbox-mark';
import { withRequestId } from '../../log/logger';
import { bestEffort } from '../best-effort';
import { ephemeral } from '../respond';
import { answerAudit, answerStatus } from './history-commands';
import { openRequestForm } from './request-form';
import type { SlackListeners } from './listener-router';

export const BACKUP_COMMAND = '/backup';

/** The answer only the asker sees; an accepted request without notes needs none (its root message is the answer). */
function replyFor(outcome: TypedOutcome): SlackMessage | undefined {
  switch (outcome.kind) {
    case 'invalid':
      return buildProblemsMessage(outcome.problems.map((p) => p.text));
    case 'cannot_post':
      return buildCannotPostMessage(outcome.why);
    case 'unknown_user':
      return buildUnknownUserMessage();
    case 'denied':
      return buildDeniedMessage(outcome.decision);
    case 'rate_limited':
      return buildRateLimitedMessage(outcome.rate);
    case 'dry_run':
      return buildDryRunMessage(outcome.checked, outcome.approvers);
    case 'duplicate':
      return buildDuplicateMessage(outcome.existing);
    case 'accepted':
      return outcome.notes.length > 0 ? buildNotesMessage(outcome.request.id, outcome.notes) : undefined;
  }
}

/** `/backup …`: acked first, then parsed and handed to the one flow of the subcommand. */
export function registerBackupCommand(app: SlackListeners, deps: FlowDeps): void {
  const marks = surfaceMarks(deps.sandbox);
  app.command(BACKUP_COMMAND, async ({ command, ack, respond, client }) => {
    await ack();
    const actor = { teamId: command.team_id, userId: command.user_id };
    const parsed = parseBackupCommand(command.text, { maxVolumes: deps.config.limits.maxVolumesPerRequest });
    if (!parsed.ok) {
      deps.metrics.commandAnswered('unparsed', 'invalid');
      await ephemeral(respond, marks.message(buildProblemsMessage([parsed.error.message], parsed.error.usage)));
      return;
    }
    const cmd = parsed.value;
    // The other subcommands are counted as answered; an associate by what the flow made of it.
    if (cmd.kind !== 'associate' && cmd.kind !== 'disassociate') deps.metrics.commandAnswered(cmd.kind, 'answered');
    switch (cmd.kind) {
      case 'help':
        await ephemeral(respond, marks.message(buildHelpMessage()));
        return;
      case 'open_modal':
        await openRequestForm(deps, client, command.trigger_id, actor, command.channel_id);
        return;
      case 'status':
        await answerStatus(deps, actor, cmd.requestId, respond);
        return;
      case 'volume_status':
        await ephemeral(
          respond,
          marks.message(
            buildVolumeStatusMessage(await volumeStatus(deps, actor, { volume: cmd.volume, project: cmd.project })),
          ),
        );
        return;
      case 'audit':
        await answerAudit(deps, actor, cmd.days, client, respond);
        return;
      case 'associate':
      case 'disassociate': {
        const channel = { id: command.channel_id, name: command.channel_name };
        // Acked: the checks and the record are work after the answer, paced as the request's run and
        // messages are, behind the acks of the commands still arriving.
        await deps.afterAnswer.turns.next();
        let outcome: TypedOutcome;
        try {
          outcome = await submitTypedRequest({ ...deps, ...deps.afterAnswer }, actor, channel, command.text, cmd);
        } catch (e) {
          // Counted too (the store or the cloud failed the checks); the error handler answers the user.
          deps.metrics.commandAnswered(cmd.kind, 'error');
          throw e;
        }
        deps.metrics.commandAnswered(cmd.kind, outcome.kind);
        const found = replyFor(outcome);
        if (found === undefined) return;
        const reply = marks.message(found);
        // A recorded request goes on whatever happens to its notes: its thread tells the rest. Sent
        // under its id, as the rest of its work.
        if (outcome.kind === 'accepted')
          await withRequestId(outcome.request.id, () =>
            bestEffort(deps.logger, 'send the notes', () => ephemeral(respond, reply)),
          );
        else await ephemeral(respond, reply);
        return;
      }
    }
  });
}
