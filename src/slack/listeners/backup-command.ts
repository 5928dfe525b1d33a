import type { App } from '@slack/bolt';
import { parseBackupCommand } from '../../domain/command-grammar';
import type { RequestExecutor } from '../../flow/execute-request';
import type { HistoryDeps } from '../../flow/history';
import type { Outbox } from '../../flow/outbox';
import type { SubmitDeps, SubmitOutcome } from '../../flow/submit-associate';
import { approvalFor, submitAssociate } from '../../flow/submit-associate';
import type { Logger } from '../../log/logger';
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
import { bestEffort } from '../best-effort';
import { answerAudit, answerStatus } from './history-commands';
import type { FormDeps } from './request-form';
import { openRequestForm } from './request-form';
import { ephemeral } from '../respond';

export const BACKUP_COMMAND = '/backup';

export interface CommandDeps {
  readonly submit: SubmitDeps;
  readonly maxVolumes: number;
  readonly outbox: Outbox;
  readonly executor: RequestExecutor;
  readonly logger: Logger;
  readonly history: HistoryDeps;
  readonly form: FormDeps;
}

function replyFor(outcome: Exclude<SubmitOutcome, { kind: 'accepted' }>, config: SubmitDeps['config']): SlackMessage {
  switch (outcome.kind) {
    case 'invalid':
      return buildProblemsMessage(outcome.problems.map((p) => p.text));
    case 'cannot_post':
      return buildCannotPostMessage(outcome.why);
    case 'unknown_user':
      return buildUnknownUserMessage();
    case 'denied':
      return buildDeniedMessage(outcome.decision);
    case 'dry_run':
      return buildDryRunMessage(outcome.checked, approvalFor(config, outcome.checked.decision, 0)?.approvers);
    case 'duplicate':
      return buildDuplicateMessage(outcome.existing);
  }
}

/** `/backup …`: acked first, then parsed, checked, recorded, posted and run. */
export function registerBackupCommand(app: App, deps: CommandDeps): void {
  app.command(BACKUP_COMMAND, async ({ command, ack, respond, client }) => {
    await ack();
    const parsed = parseBackupCommand(command.text, { maxVolumes: deps.maxVolumes });
    if (!parsed.ok) {
      await ephemeral(respond, buildProblemsMessage([parsed.error.message], parsed.error.usage));
      return;
    }
    if (parsed.value.kind === 'help') {
      await ephemeral(respond, buildHelpMessage());
      return;
    }
    if (parsed.value.kind === 'open_modal') {
      await openRequestForm(deps.form, client, command.trigger_id, {
        teamId: command.team_id,
        userId: command.user_id,
        channelId: command.channel_id,
      });
      return;
    }
    const actor = { teamId: command.team_id, userId: command.user_id };
    if (parsed.value.kind === 'status') {
      await answerStatus(deps.history, actor, parsed.value.requestId, respond);
      return;
    }
    if (parsed.value.kind === 'audit') {
      await answerAudit(deps.history, actor, parsed.value.days, client, respond);
      return;
    }
    const origin = {
      teamId: command.team_id,
      userId: command.user_id,
      channelId: command.channel_id,
      channelName: command.channel_name,
      text: command.text,
    };
    const outcome = await submitAssociate(deps.submit, origin, parsed.value);
    deps.logger.info('backup command handled', {
      outcome: outcome.kind,
      user: command.user_id,
      channel: command.channel_id,
      ...(outcome.kind === 'accepted' && { requestId: outcome.request.id }),
      ...(outcome.kind === 'denied' && { rule: outcome.decision.decidedBy }),
      ...(outcome.kind === 'dry_run' && {
        rule: outcome.checked.decision.decidedBy,
        verdict: outcome.checked.decision.verdict,
      }),
    });
    if (outcome.kind !== 'accepted') {
      await ephemeral(respond, replyFor(outcome, deps.submit.config));
      return;
    }
    const { request } = outcome;
    await deps.outbox.flushRequest(request.id);
    if (outcome.notes.length > 0) {
      await bestEffort(deps.logger, 'send the notes', () =>
        ephemeral(respond, buildNotesMessage(request.id, outcome.notes)),
      );
    }
    if (request.state === 'allowed') await deps.executor.start(request.id, 'allowed');
  });
}
