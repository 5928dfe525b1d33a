import type { UndoOutcome } from '../../flow/undo';
import { describeApprovers } from './approval-text';
import type { SlackMessage } from './kit';
import { message, section } from './kit';
import { code, composedText } from '../mrkdwn';
import { rateLimitText } from './admission-text';
import { buildCannotPostMessage, buildDeniedMessage, buildUnknownUserMessage } from './reply-blocks';
import { stateLine } from './request-blocks';
import { askWords } from './request-words';

function plain(text: string): SlackMessage {
  return message(text, [section(text)]);
}

/** What the person who clicked Undo reads (only they see it): the new request, or why there is none. */
export function buildUndoReply(result: UndoOutcome): SlackMessage {
  if (!result.ok) {
    switch (result.why) {
      case 'unknown_request':
        return plain('I do not know that request. Nothing was changed.');
      case 'rate_limited':
        return plain(`${rateLimitText(result.rate)} Nothing was changed.`);
      case 'not_allowed':
        return plain(
          'Only the person who asked for this request, or one of its approvers, can undo it. Nothing was changed.',
        );
      case 'approver_unknown':
        return plain(
          'Slack could not tell me whether you are an approver right now, so nothing was changed. Please try again in a minute.',
        );
      case 'nothing_to_undo':
        return plain(`${result.text} Nothing was changed.`);
    }
  }
  const outcome = result.outcome;
  switch (outcome.kind) {
    case 'accepted':
      return message(`Undo asked: request ${outcome.request.id}`, [
        section(
          `:leftwards_arrow_with_hook: Undo asked as request ${code(outcome.request.id)}: ${askWords(outcome.request)}. ` +
            (outcome.request.approval === undefined
              ? 'It runs now;'
              : `It waits for approval by ${describeApprovers(outcome.request.approval.approvers)};`) +
            ' its record and summary follow in this thread.',
        ),
      ]);
    case 'duplicate':
      return plain(
        `This request has an undo already: request ${outcome.existing.id} (${stateLine(outcome.existing).replace(/^:[a-z_]+: /, '')}). I did not ask twice.`,
      );
    case 'denied':
      return buildDeniedMessage(outcome.decision);
    case 'invalid':
      return message('Nothing to undo', [
        section(`:warning: ${outcome.problems.map((p) => composedText(p.text, 600)).join('\n')}\nNothing was changed.`),
      ]);
    case 'cannot_post':
      return buildCannotPostMessage(outcome.why);
    case 'unknown_user':
      return buildUnknownUserMessage();
  }
}
