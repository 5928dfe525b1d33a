import type { App, RespondFn } from '@slack/bolt';
import { parseBackupCommand } from '../../domain/command-grammar';
import type { RequestExecutor } from '../../flow/execute-request';
import { messagesOnAccepted } from '../../flow/notify';
import type { HistoryDeps } from '../../flow/history';
import type { Outbox } from '../../flow/outbox';
import type { SubmitDeps, SubmitOutcome } from '../../flow/submit-associate';
import { submitAssociate } from '../../flow/submit-associate';
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
import { answerAudit, answerStatus } from './history-commands';

export const BACKUP_COMMAND = '/backup';

export interface CommandDeps {
  readonly submit: SubmitDeps;
  readonly maxVolumes: number;
  readonly outbox: Outbox;
  readonly executor: RequestExecutor;
  readonly logger: Logger;
  readonly history: HistoryDeps;
}

function ephemeral(respond: RespondFn, m: SlackMessage): Promise<unknown> {
  return respond({ response_type: 'ephemeral', replace_original: false, text: m.text, blocks: m.blocks });
}

function replyFor(outcome: Exclude<SubmitOutcome, { kind: 'accepted' }>): SlackMessage {
  switch (outcome.kind) {
    case 'invalid':
      return buildProblemsMessage(outcome.problems);
    case 'cannot_post':
      return buildCannotPostMessage(outcome.why);
    case 'unknown_user':
      return buildUnknownUserMessage();
    case 'denied':
      return buildDeniedMessage(outcome.decision);
    case 'dry_run':
      return buildDryRunMessage(outcome.checked);
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
      await ephemeral(respond, replyFor(outcome));
      return;
    }
    const { request } = outcome;
    await deps.outbox.send(request.id, messagesOnAccepted(request));
    if (outcome.notes.length > 0) await ephemeral(respond, buildNotesMessage(request.id, outcome.notes));
    if (request.state === 'allowed') await deps.executor.start(request.id, 'allowed');
  });
}
