import type { BlockButtonAction } from '@slack/bolt';
import type { Actor } from '../../domain/actor';
import type { ApprovalDeps } from '../../flow/approvals';
import type { FlowDeps } from '../../flow/flow-deps';
import { cancel, checkDecision, decide } from '../../flow/approvals';
import { NO_REQUEST_ID, parseRequestId } from '../../domain/ids';
import { hasVisibleText } from '../../domain/visible-text';
import { buildDecisionModal, buildInfoModal, buildLoadingModal } from '../blocks/approval-modal';
import { refusalText, decisionLine } from '../blocks/approval-text';
import { surfaceMarks } from '../blocks/sandbox-mark';
import { withRequestId } from '../../log/logger';
import {
  ACTION_APPROVE,
  ACTION_CANCEL,
  ACTION_DENY,
  BLOCK_COMMENT,
  INPUT_COMMENT,
  VIEW_APPROVE,
  VIEW_DENY,
} from '../ids';
import { teamIdOf } from '../payload';
import { bestEffort } from '../best-effort';
import { replaceHoldingViewOnFailure } from '../holding-view';
import type { SlackListeners } from './listener-router';

/** The signed payload's team and user are the truth; a workspace-less payload gets an id that matches nothing. */
function actorOf(body: { team: { id: string } | null; user: { id: string; team_id?: string } }): Actor {
  return { teamId: teamIdOf(body), userId: body.user.id };
}

/** Approve / Deny buttons (modal), the modal submissions, and the requester's Cancel button. */
export function registerApprovalActions(app: SlackListeners, deps: ApprovalDeps & Pick<FlowDeps, 'sandbox'>): void {
  const marks = surfaceMarks(deps.sandbox);
  for (const [actionId, decision] of [
    [ACTION_APPROVE, 'approve'],
    [ACTION_DENY, 'deny'],
  ] as const) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, client }) => {
      await ack();
      const parsed = parseRequestId(action.value ?? '');
      const requestId = parsed ?? NO_REQUEST_ID;
      await withRequestId(parsed, async () => {
        // The trigger lives three seconds and works once: open first, check after.
        const opened = await client.views.open({
          trigger_id: body.trigger_id,
          view: marks.modal(buildLoadingModal(decision)),
        });
        const viewId = opened.view?.id;
        if (viewId === undefined) return;
        const checked = await replaceHoldingViewOnFailure(
          deps.logger,
          client,
          { id: viewId, title: 'Nothing changed' },
          () => checkDecision(deps, requestId, actorOf(body), decision),
        );
        const view = checked.ok
          ? buildDecisionModal(checked.request, decision)
          : buildInfoModal('Nothing changed', refusalText(checked.refusal));
        await client.views.update({
          view_id: viewId,
          ...(opened.view?.hash && { hash: opened.view.hash }),
          view: marks.modal(view),
        });
      });
    });
  }

  for (const [callbackId, decision] of [
    [VIEW_APPROVE, 'approve'],
    [VIEW_DENY, 'deny'],
  ] as const) {
    app.view(callbackId, async ({ ack, body, view, client }) => {
      const comment = view.state.values[BLOCK_COMMENT]?.[INPUT_COMMENT]?.value ?? undefined;
      if (decision === 'deny' && !hasVisibleText(comment)) {
        await ack({ response_action: 'errors', errors: { [BLOCK_COMMENT]: 'Please say why you deny it.' } });
        return;
      }
      // Answer Slack at once; the decision is re-checked from the store and Slack, then shown in the modal.
      await ack({
        response_action: 'update',
        view: marks.modal(
          buildInfoModal(
            decision === 'approve' ? 'Approving…' : 'Denying…',
            ':hourglass_flowing_sand: Recording your decision…',
          ),
        ),
      });
      const parsed = parseRequestId(view.private_metadata);
      const requestId = parsed ?? NO_REQUEST_ID;
      await withRequestId(parsed, async () => {
        const result = await replaceHoldingViewOnFailure(
          deps.logger,
          client,
          { id: view.id, title: 'Nothing changed' },
          () => decide(deps, requestId, actorOf(body), decision, comment),
        );
        const text = result.ok
          ? `${decisionLine(result.request)}\nThe requester's thread and the card show it${decision === 'approve' ? '; the request runs now' : ''}.`
          : refusalText(result.refusal);
        await bestEffort(deps.logger, 'show the decision in the modal', () =>
          client.views.update({
            view_id: view.id,
            view: marks.modal(buildInfoModal(result.ok ? 'Done' : 'Nothing changed', text)),
          }),
        );
      });
    });
  }

  app.action<BlockButtonAction>(ACTION_CANCEL, async ({ ack, body, action, respond }) => {
    await ack();
    const parsed = parseRequestId(action.value ?? '');
    await withRequestId(parsed, async () => {
      const result = await cancel(deps, parsed ?? NO_REQUEST_ID, actorOf(body));
      if (!result.ok)
        await respond({ response_type: 'ephemeral', replace_original: false, text: refusalText(result.refusal) });
    });
  });
}
