import type { ViewOutput } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Actor } from '../../domain/actor';
import { parseRequestId } from '../../domain/ids';
import type { FlowDeps } from '../../flow/flow-deps';
import type { FormPreview, OpenResult } from '../../flow/request-form';
import { openForm, previewForm } from '../../flow/request-form';
import { buildInfoModal } from '../blocks/approval-modal';
import type { ModalView } from '../blocks/approval-modal';
import { rateLimitText } from '../blocks/admission-text';
import { buildRequestForm } from '../blocks/request-form-view';
import { surfaceMarks } from '../blocks/sandbox-mark';
import { buildCannotPostMessage, buildUnknownUserMessage } from '../blocks/reply-blocks';
import type { FormState } from '../form-state';
import { readFormState } from '../form-state';
import { replaceHoldingViewOnFailure } from '../holding-view';
import {
  FORM_CHANNEL,
  FORM_OPTIONS,
  FORM_POLICY,
  FORM_PROJECT,
  FORM_SERVER,
  FORM_VOLUMES,
  SHORTCUT_REQUEST,
  VIEW_FORM,
} from '../ids';
import { teamIdOf } from '../payload';
import { slackErrorName } from '../slack-errors';
import { registerFormOptions } from './form-options';
import { registerFormSubmit } from './form-submit';
import type { SlackListeners } from './listener-router';

/** The form drawn from the fields as they are and the flow's preview of them. */
function formView(deps: Pick<FlowDeps, 'config'>, state: FormState, form: FormPreview): ModalView {
  return buildRequestForm({
    draftId: form.draft.id,
    projects: deps.config.projects.map((p) => p.name),
    project: state.project,
    askChannel: form.draft.channelId === undefined,
    channelId: state.selection.channelId,
    policy: state.policy,
    server: state.server,
    volumes: state.volumes,
    reason: state.selection.reason,
    service: deps.config.projects.find((p) => p.name === state.project)?.service ?? 'vbs',
    move: state.selection.move,
    backupNow: state.selection.backupNow,
    reasonRequired: form.reasonRequired,
    preview: form.preview,
    approvers: form.approvers,
  });
}

function openedView(deps: Pick<FlowDeps, 'config'>, result: OpenResult): ModalView {
  if (result.ok) return formView(deps, readFormState({}, deps.config), result);
  switch (result.why) {
    case 'cannot_post':
      return buildInfoModal('Request backup', buildCannotPostMessage(result.channel).text);
    case 'unknown_user':
      return buildInfoModal('Request backup', buildUnknownUserMessage().text);
    case 'rate_limited':
      return buildInfoModal('Request backup', rateLimitText(result.rate));
    case 'not_allowed':
      return buildInfoModal(
        'Request backup',
        'You may not request backups here. Ask an admin of the bot if you need to.',
      );
  }
}

/**
 * Opens the form within the trigger's three seconds (a loading view), then fills it or says why
 * not. `channelId` is where the command was typed; undefined from a shortcut or the App Home.
 */
export async function openRequestForm(
  deps: FlowDeps,
  client: WebClient,
  triggerId: string,
  actor: Actor,
  channelId: string | undefined,
): Promise<void> {
  const marks = surfaceMarks(deps.sandbox);
  const opened = await client.views.open({
    trigger_id: triggerId,
    view: marks.modal(buildInfoModal('Request backup', ':hourglass_flowing_sand: Opening the form…')),
  });
  const viewId = opened.view?.id;
  if (viewId === undefined) return;
  const hash = opened.view?.hash;
  const result = await replaceHoldingViewOnFailure(deps.logger, client, { id: viewId, title: 'Request backup' }, () =>
    openForm(deps, actor, channelId),
  );
  await client.views.update({ view_id: viewId, ...(hash && { hash }), view: marks.modal(openedView(deps, result)) });
}

/** The form's listeners; `submitBudgetMs` is how long a submit may check before the modal says "checking". */
export function registerRequestForm(
  app: SlackListeners,
  deps: FlowDeps,
  options: { readonly submitBudgetMs: number },
): void {
  const marks = surfaceMarks(deps.sandbox);
  app.shortcut(SHORTCUT_REQUEST, async ({ ack, shortcut, client }) => {
    await ack();
    await openRequestForm(
      deps,
      client,
      shortcut.trigger_id,
      { teamId: teamIdOf(shortcut), userId: shortcut.user.id },
      undefined,
    );
  });

  // Any change of project, channel, policy, server or volumes redraws the form with a fresh preview.
  for (const actionId of [FORM_PROJECT, FORM_CHANNEL, FORM_POLICY, FORM_SERVER, FORM_VOLUMES, FORM_OPTIONS]) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const view = (body as { view?: ViewOutput }).view;
      if (view === undefined || view.callback_id !== VIEW_FORM) return;
      const state = readFormState(view.state.values, deps.config);
      const actor = { teamId: teamIdOf(body), userId: body.user.id };
      const form = await previewForm(deps, actor, parseRequestId(view.private_metadata), state.selection);
      if (form === undefined) return;
      try {
        // The hash makes a slower, older redraw lose against a newer one.
        await client.views.update({
          view_id: view.id,
          hash: view.hash,
          view: marks.modal(formView(deps, state, form)),
        });
      } catch (e) {
        if (slackErrorName(e) !== 'hash_conflict') throw e;
      }
    });
  }

  registerFormOptions(app, deps);
  registerFormSubmit(app, deps, options.submitBudgetMs);
}
