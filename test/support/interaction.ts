import type { InteractionUser, ViewValues } from '../../src/demo/slack-payloads';
import { buttonClickPayload, viewSubmissionPayload } from '../../src/demo/slack-payloads';
import { TEAM } from './flow-world';
import { HOOKS } from './listener-app';

let triggers = 0;

/** Who acts in an interaction payload, in the workspace of the flow tests unless told otherwise. */
export function who(userId: string, teamId = TEAM): InteractionUser {
  return {
    team: { id: teamId, domain: 'example-ops' },
    user: { id: userId, username: userId, name: userId, team_id: teamId },
  };
}

/** A click on a message button (block_actions), with its trigger and response_url. */
export function clickButton(
  userId: string,
  actionId: string,
  value: string,
  options: { teamId?: string; channelId?: string } = {},
): Record<string, unknown> & { trigger_id: string; response_url: string } {
  triggers += 1;
  const trigger = `${triggers}.222.trigger`;
  const responseUrl = `${HOOKS}/actions/${options.teamId ?? TEAM}/${triggers}/secret`;
  const body = buttonClickPayload(who(userId, options.teamId), trigger, responseUrl, {
    userId,
    channelId: options.channelId ?? 'C0APPROVAL',
    messageTs: '1767258000.000100',
    actionId,
    value,
  });
  return { ...body, trigger_id: trigger, response_url: responseUrl };
}

/** A modal submitted (view_submission): its callback id, private metadata and input values. */
export function submitView(
  userId: string,
  view: { id?: string; callbackId: string; privateMetadata: string; values: ViewValues },
  options: { teamId?: string } = {},
): Record<string, unknown> {
  triggers += 1;
  const viewId = view.id ?? 'V0MODAL01';
  const stored = {
    id: viewId,
    hash: 'h-submitted',
    userId,
    view: { type: 'modal', callback_id: view.callbackId, private_metadata: view.privateMetadata, blocks: [] },
  };
  return viewSubmissionPayload(stored, who(userId, options.teamId), `${triggers}.333.trigger`, {
    userId,
    viewId,
    values: view.values,
  });
}
