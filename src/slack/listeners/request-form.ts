import type { App, ViewOutput } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Config } from '../../config/load-config';
import { parseRequestId } from '../../domain/ids';
import type { Problem } from '../../flow/check-request';
import type { CloudCache } from '../../flow/cloud-cache';
import type { RequestExecutor } from '../../flow/execute-request';
import type { Outbox } from '../../flow/outbox';
import type { PreviewOutcome } from '../../flow/request-form';
import { loadDraft, openDraft, previewForm, submitForm } from '../../flow/request-form';
import type { SubmitDeps } from '../../flow/submit-associate';
import { approvalFor } from '../../flow/submit-associate';
import { buildInfoModal } from '../blocks/approval-modal';
import { buildRequestForm, fieldBlockId } from '../blocks/request-form-view';
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
import { registerFormOptions } from './form-options';

export interface FormDeps {
  readonly submit: SubmitDeps;
  readonly cache: CloudCache;
  readonly config: Pick<Config, 'projects' | 'access' | 'approvals' | 'limits'>;
  readonly outbox: Outbox;
  readonly executor: RequestExecutor;
}

const NOT_YOURS = 'This form has expired or belongs to someone else. Open a new one with /backup associate.';

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
  const result = await openDraft(deps.submit, actor);
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

/** Slack's errors object: each problem on the field it belongs to (joined when several). */
function fieldErrors(
  problems: readonly Problem[],
  state: FormState,
  hasProject: boolean,
  hasChannel: boolean,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const p of problems) {
    const block =
      p.field === 'project' && hasProject
        ? 'project'
        : p.field === 'channel' && hasChannel
          ? 'channel'
          : p.field === 'reason'
            ? 'reason'
            : p.field === 'policy' || p.field === 'server'
              ? fieldBlockId(p.field, state.project)
              : fieldBlockId('volumes', state.project);
    errors[block] = errors[block] === undefined ? p.text : `${errors[block]} ${p.text}`;
  }
  for (const key of Object.keys(errors)) errors[key] = [...errors[key]!].slice(0, 300).join('');
  return errors;
}

export function registerRequestForm(app: App, deps: FormDeps): void {
  app.shortcut(SHORTCUT_REQUEST, async ({ ack, shortcut, client }) => {
    await ack();
    const teamId = shortcut.team?.id ?? shortcut.user.team_id ?? '';
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
      const actor = { teamId: body.team?.id ?? '', userId: body.user.id };
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

  app.view(VIEW_FORM, async ({ ack, body, view }) => {
    const actor = { teamId: body.team?.id ?? body.user.team_id ?? '', userId: body.user.id };
    const draft = await loadDraft(deps.submit, parseRequestId(view.private_metadata), actor);
    if (draft === undefined) {
      await ack({ response_action: 'update', view: buildInfoModal('Request backup', NOT_YOURS) });
      return;
    }
    const state = readFormState(view.state.values, deps.config.projects);
    const project = deps.config.projects.find((p) => p.name === state.project);
    // Never trust the view: the submit reads the cloud afresh (the cache is dropped first) and checks everything again.
    if (project !== undefined) deps.cache.invalidate(project);
    const outcome = await submitForm(previewDeps(deps), draft, state.selection);
    const hasProject = deps.config.projects.length > 1;
    const hasChannel = draft.channelId === undefined;
    switch (outcome.kind) {
      case 'incomplete': {
        const problems = outcome.missing.map((m): Problem => ({
          field: m,
          text: m === 'volumes' ? 'Pick at least one volume, or a server.' : `Pick a ${m}.`,
        }));
        await ack({ response_action: 'errors', errors: fieldErrors(problems, state, hasProject, hasChannel) });
        return;
      }
      case 'invalid':
        await ack({ response_action: 'errors', errors: fieldErrors(outcome.problems, state, hasProject, hasChannel) });
        return;
      case 'denied':
        await ack({
          response_action: 'errors',
          errors: fieldErrors(
            [{ field: 'volumes', text: `Denied by ${outcome.decision.decidedBy}: ${outcome.decision.reason}.` }],
            state,
            hasProject,
            hasChannel,
          ),
        });
        return;
      case 'cannot_post':
        if (hasChannel)
          await ack({
            response_action: 'errors',
            errors: { channel: buildCannotPostMessage(outcome.why).text.slice(0, 300) },
          });
        else
          await ack({
            response_action: 'update',
            view: buildInfoModal('Request backup', buildCannotPostMessage(outcome.why).text),
          });
        return;
      case 'unknown_user':
        await ack({
          response_action: 'update',
          view: buildInfoModal('Request backup', buildUnknownUserMessage().text),
        });
        return;
      case 'duplicate':
      case 'dry_run':
        await ack({ response_action: 'clear' });
        return;
      case 'accepted':
        await ack({ response_action: 'clear' });
        await deps.outbox.flushRequest(outcome.request.id);
        if (outcome.request.state === 'allowed') await deps.executor.start(outcome.request.id, 'allowed');
    }
  });
}
