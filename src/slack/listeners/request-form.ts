import type { App, ViewOutput } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Config } from '../../config/load-config';
import { parseRequestId } from '../../domain/ids';
import type { CloudCache } from '../../flow/cloud-cache';
import type { RequestExecutor } from '../../flow/execute-request';
import type { Outbox } from '../../flow/outbox';
import type { PreviewOutcome } from '../../flow/request-form';
import { loadDraft, openDraft, previewForm } from '../../flow/request-form';
import type { SubmitDeps } from '../../flow/submit-associate';
import { approvalFor } from '../../flow/submit-associate';
import { buildInfoModal } from '../blocks/approval-modal';
import { buildRequestForm } from '../blocks/request-form-view';
import { buildCannotPostMessage, buildUnknownUserMessage } from '../blocks/reply-blocks';
import { readFormState } from '../form-state';
import type { FormState } from '../form-state';
import {
  FORM_CHANNEL,
  FORM_POLICY,
  FORM_PROJECT,
  FORM_SERVER,
  FORM_VOLUMES,
  SHORTCUT_REQUEST,
  VIEW_FORM,
} from '../ids';
import { slackErrorName } from '../slack-errors';
import type { Logger } from '../../log/logger';
import { bestEffort } from '../best-effort';
import { userSafeSentence } from '../error-reply';
import { registerFormOptions } from './form-options';
import { registerFormSubmit } from './form-submit';
import { teamIdOf } from '../payload';

export interface FormDeps {
  readonly submit: SubmitDeps;
  readonly cache: CloudCache;
  readonly config: Pick<Config, 'projects' | 'access' | 'approvals' | 'limits'>;
  readonly outbox: Outbox;
  readonly executor: RequestExecutor;
  readonly logger: Logger;
  /** Default SUBMIT_BUDGET_MS; tests shorten it rather than wait seconds for a slow submit. */
  readonly submitBudgetMs?: number;
}

function previewDeps(deps: FormDeps): SubmitDeps {
  return { ...deps.submit, cloud: deps.cache };
}

function reasonRequired(deps: FormDeps, preview: PreviewOutcome): boolean {
  if (preview.kind === 'invalid') return preview.problems.some((p) => p.field === 'reason');
  if (preview.kind !== 'checked') return false;
  return deps.config.access.rules.find((r) => r.name === preview.checked.decision.decidedBy)?.requireReason === true;
}

function formView(
  deps: FormDeps,
  draft: { id: string; channelId: string | undefined },
  state: FormState,
  preview: PreviewOutcome | 'loading',
) {
  const approvers =
    preview !== 'loading' && preview.kind === 'checked'
      ? approvalFor(deps.config, preview.checked.decision, 0)?.approvers
      : undefined;
  return buildRequestForm({
    draftId: draft.id,
    projects: deps.config.projects.map((p) => p.name),
    project: state.project,
    askChannel: draft.channelId === undefined,
    channelId: state.selection.channelId,
    policy: state.policy,
    server: state.server,
    volumes: state.volumes,
    reason: state.selection.reason,
    reasonRequired: preview !== 'loading' && reasonRequired(deps, preview),
    preview,
    approvers,
  });
}

/** Opens the form within the trigger's three seconds (a loading view), then fills it or says why not. */
export async function openRequestForm(
  deps: FormDeps,
  client: WebClient,
  triggerId: string,
  actor: { teamId: string; userId: string; channelId: string | undefined },
): Promise<void> {
  const opened = await client.views.open({
    trigger_id: triggerId,
    view: buildInfoModal('Request backup', ':hourglass_flowing_sand: Opening the form…'),
  });
  const viewId = opened.view?.id;
  if (viewId === undefined) return;
  const hash = opened.view?.hash;
  let result;
  try {
    result = await openDraft(deps.submit, actor);
  } catch (e) {
    // Never leave the loading modal up: say it failed, then let the error handler log it.
    await bestEffort(deps.logger, 'close the loading form', () =>
      client.views.update({ view_id: viewId, view: buildInfoModal('Request backup', userSafeSentence(e)) }),
    );
    throw e;
  }
  let view;
  if (result.ok) {
    const state = readFormState({}, deps.config.projects);
    view = formView(deps, result.draft, state, {
      kind: 'incomplete',
      missing: [...(actor.channelId === undefined ? ['channel' as const] : []), 'policy', 'volumes'],
    });
  } else if (result.why === 'cannot_post')
    view = buildInfoModal('Request backup', buildCannotPostMessage(result.channel).text);
  else if (result.why === 'unknown_user') view = buildInfoModal('Request backup', buildUnknownUserMessage().text);
  else
    view = buildInfoModal(
      'Request backup',
      'You may not request backups here. Ask an admin of the bot if you need to.',
    );
  await client.views.update({ view_id: viewId, ...(hash && { hash }), view });
}

export function registerRequestForm(app: App, deps: FormDeps): void {
  app.shortcut(SHORTCUT_REQUEST, async ({ ack, shortcut, client }) => {
    await ack();
    const teamId = teamIdOf(shortcut);
    await openRequestForm(deps, client, shortcut.trigger_id, {
      teamId,
      userId: shortcut.user.id,
      channelId: undefined,
    });
  });

  // Any change of project, channel, policy, server or volumes redraws the form with a fresh preview.
  for (const actionId of [FORM_PROJECT, FORM_CHANNEL, FORM_POLICY, FORM_SERVER, FORM_VOLUMES]) {
    app.action(actionId, async ({ ack, body, client }) => {
      await ack();
      const view = (body as { view?: ViewOutput }).view;
      if (view === undefined || view.callback_id !== VIEW_FORM) return;
      const actor = { teamId: teamIdOf(body), userId: body.user.id };
      const draft = await loadDraft(deps.submit, parseRequestId(view.private_metadata), actor);
      if (draft === undefined) return;
      const state = readFormState(view.state.values, deps.config.projects);
      const preview = await previewForm(previewDeps(deps), draft, state.selection);
      try {
        // The hash makes a slower, older redraw lose against a newer one.
        await client.views.update({ view_id: view.id, hash: view.hash, view: formView(deps, draft, state, preview) });
      } catch (e) {
        if (slackErrorName(e) !== 'hash_conflict') throw e;
      }
    });
  }

  registerFormOptions(app, deps);

  registerFormSubmit(app, deps);
}
