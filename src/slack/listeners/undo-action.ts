import type { BlockButtonAction } from '@slack/bolt';
import { NO_REQUEST_ID, parseRequestId } from '../../domain/ids';
import type { FlowDeps } from '../../flow/flow-deps';
import { undo } from '../../flow/undo';
import { buildUndoReply } from '../blocks/undo-reply';
import { surfaceMarks } from '../blocks/sandbox-mark';
import { withRequestId } from '../../log/logger';
import { ACTION_UNDO } from '../ids';
import { teamIdOf } from '../payload';
import type { SlackListeners } from './listener-router';

/** The Undo button of a finished summary: asks for the undo and tells the clicker, privately, what became of it. */
export function registerUndoAction(app: SlackListeners, deps: FlowDeps): void {
  const marks = surfaceMarks(deps.sandbox);
  app.action<BlockButtonAction>(ACTION_UNDO, async ({ ack, body, action, respond }) => {
    await ack();
    const parsed = parseRequestId(action.value ?? '');
    // The original's id: the undo's own request, once recorded, runs under its own.
    await withRequestId(parsed, async () => {
      const result = await undo(deps, { teamId: teamIdOf(body), userId: body.user.id }, parsed ?? NO_REQUEST_ID);
      await respond({ response_type: 'ephemeral', replace_original: false, ...marks.message(buildUndoReply(result)) });
    });
  });
}
