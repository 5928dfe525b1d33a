import type { BackupRequest } from '../../src/domain/backup-request';
import { buildApprovalCard, buildApprovalReminder } from '../../src/slack/blocks/approval-card';
import { buildDecisionModal } from '../../src/slack/blocks/approval-modal';
import { buildStatusMessage } from '../../src/slack/blocks/history-blocks';
import { buildHomeView } from '../../src/slack/blocks/home-view';
import {
  buildDeniedMessage,
  buildDryRunMessage,
  buildNotesMessage,
  buildProblemsMessage,
} from '../../src/slack/blocks/reply-blocks';
import { buildRequestForm } from '../../src/slack/blocks/request-form-view';
import { buildRootMessage } from '../../src/slack/blocks/request-blocks';
import { buildSummaryMessage } from '../../src/slack/blocks/summary-blocks';
import { buildThreadNote } from '../../src/slack/blocks/thread-notes';
import type { ForeignText } from './sample-request';
import { sampleChecked, sampleEvents, sampleRequest } from './sample-request';

/** Every `text` string in a message or view, in document order (mrkdwn, plain text and the fallback). */
export function textsOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap(textsOf);
  return Object.entries(value).flatMap(([key, v]) => (key === 'text' && typeof v === 'string' ? [v] : textsOf(v)));
}

/** The texts Slack reads as mrkdwn: all but plain-text elements (labels, options, buttons). */
export function mrkdwnTextsOf(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  if (Array.isArray(value)) return value.flatMap(mrkdwnTextsOf);
  if ('type' in value && value.type === 'plain_text') return [];
  return Object.entries(value).flatMap(([key, v]) =>
    key === 'text' && typeof v === 'string' ? [v] : mrkdwnTextsOf(v),
  );
}

/** What every surface that shows a request renders of it: name -> the message or view. */
export function renderEverySurface(text: ForeignText): Record<string, unknown> {
  const done = sampleRequest(text);
  const pending: BackupRequest = sampleRequest(text, {
    state: 'pending_approval',
    outcome: undefined,
    approval: done.approval && { ...done.approval, decidedBy: undefined, decidedAt: undefined, comment: undefined },
  });
  const denied = sampleRequest(text, { state: 'denied', outcome: undefined });
  const checked = sampleChecked(text);
  const approvers = { users: [], usergroups: ['backup-admins'] };
  const formModel = {
    draftId: 'r-draft001',
    projects: [text.projectName, 'staging'],
    project: text.projectName,
    askChannel: false,
    channelId: undefined,
    policy: undefined,
    server: undefined,
    volumes: [],
    reason: text.reason,
    service: 'vbs' as const,
    move: false,
    backupNow: false,
    reasonRequired: true,
    approvers,
  };
  const outcome = done.outcome;
  return {
    'approval card, pending': buildApprovalCard(pending),
    'approval card, decided': buildApprovalCard(done),
    'approval card, denied': buildApprovalCard(denied),
    'approval reminder': buildApprovalReminder(pending),
    'approve modal': buildDecisionModal(pending, 'approve'),
    'deny modal': buildDecisionModal(pending, 'deny'),
    'status message': buildStatusMessage(done, sampleEvents(text)),
    'App Home': buildHomeView({ recent: [done, denied], toDecide: [pending] }),
    'root message': buildRootMessage(done),
    'root message, denied': buildRootMessage(denied),
    summary: outcome === undefined ? [] : buildSummaryMessage(done, outcome).message,
    'thread note, waiting': buildThreadNote('waiting', pending),
    'thread note, denied': buildThreadNote('decision', denied),
    'dry run': buildDryRunMessage(checked, approvers),
    'denied reply': buildDeniedMessage(checked.decision),
    'notes reply': buildNotesMessage(done.id, checked.notes),
    'problems reply': buildProblemsMessage([`No volume is named \`${text.volumeName}\`.`]),
    'form, checked': buildRequestForm({ ...formModel, preview: { kind: 'checked', checked } }),
    'form, denied': buildRequestForm({
      ...formModel,
      preview: { kind: 'denied', decision: checked.decision, checked: undefined },
    }),
  };
}
