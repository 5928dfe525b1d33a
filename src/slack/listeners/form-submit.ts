import { stripInvisible } from '../../domain/visible-text';
import { parseRequestId } from '../../domain/ids';
import type { Problem } from '../../flow/check-request';
import { beforeDeadline } from '../../flow/deadline';
import type { FlowDeps } from '../../flow/flow-deps';
import type { SubmitOutcome } from '../../flow/request-form';
import { submitForm } from '../../flow/request-form';
import type { RequestDraft } from '../../store/request-store';
import { rateLimitText } from '../blocks/admission-text';
import { buildInfoModal } from '../blocks/approval-modal';
import { fieldBlockId } from '../blocks/request-form-view';
import { buildCannotPostMessage, buildUnknownUserMessage } from '../blocks/reply-blocks';
import { surfaceMarks } from '../blocks/sandbox-mark';
import { readFormState } from '../form-state';
import type { FormState } from '../form-state';
import { VIEW_FORM } from '../ids';
import { channelLink, code } from '../mrkdwn';
import { bestEffort } from '../best-effort';
import { userSafeSentence } from '../error-reply';
import { replaceHoldingViewOnFailure } from '../holding-view';
import { teamIdOf } from '../payload';
import type { SlackListeners } from './listener-router';

/** Slack waits 3 s for the answer; past this, the modal shows "checking" and the result follows. */
export const SUBMIT_BUDGET_MS = 2000;

type Outcome = SubmitOutcome;
type Answer =
  | { response_action: 'errors'; errors: Record<string, string> }
  | { response_action: 'update'; view: ReturnType<typeof buildInfoModal> }
  | { response_action: 'clear' };

const NOT_YOURS = 'This form has expired or belongs to someone else. Open a new one with /backup associate.';

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
  // Slack shows at most 300 characters of a field's error (plain text: no mrkdwn to neutralise, but no
  // hidden characters either); cut at a code point, never inside one.
  return Object.fromEntries(
    Object.entries(errors).map(([block, text]) => [block, Array.from(stripInvisible(text)).slice(0, 300).join('')]),
  );
}

function problemsOf(outcome: Outcome): Problem[] | undefined {
  switch (outcome.kind) {
    case 'incomplete':
      return outcome.missing.map((m) => ({
        field: m,
        text: m === 'volumes' ? 'Pick at least one volume, or a server.' : `Pick a ${m}.`,
      }));
    case 'invalid':
      return [...outcome.problems];
    case 'denied':
      return [{ field: 'volumes', text: `Denied by ${outcome.decision.decidedBy}: ${outcome.decision.reason}.` }];
    case 'rate_limited':
      // On a field, so the form stays open to submit again once the wait is over.
      return [{ field: 'volumes', text: rateLimitText(outcome.rate) }];
    case 'cannot_post':
    case 'unknown_user':
    case 'duplicate':
    case 'accepted':
      return undefined;
  }
}

/** The answer to give in time: inline errors, a closing, or a replacement view. */
function answerFor(outcome: Outcome, state: FormState, draft: RequestDraft, hasProject: boolean): Answer {
  const problems = problemsOf(outcome);
  const hasChannel = draft.channelId === undefined;
  if (problems !== undefined)
    return { response_action: 'errors', errors: fieldErrors(problems, state, hasProject, hasChannel) };
  if (outcome.kind === 'cannot_post') {
    const text = buildCannotPostMessage(outcome.why).text;
    return hasChannel
      ? { response_action: 'errors', errors: { channel: text.slice(0, 300) } }
      : { response_action: 'update', view: buildInfoModal('Request backup', text) };
  }
  if (outcome.kind === 'unknown_user')
    return { response_action: 'update', view: buildInfoModal('Request backup', buildUnknownUserMessage().text) };
  return { response_action: 'clear' };
}

/** The same result, told after the modal already shows "checking": as a closing view. */
function lateView(outcome: Outcome) {
  if (outcome.kind === 'accepted' || outcome.kind === 'duplicate') {
    const request = outcome.kind === 'accepted' ? outcome.request : outcome.existing;
    return buildInfoModal(
      'Request backup',
      `:white_check_mark: Request ${code(request.id)} is recorded; it continues in ${channelLink(request.channel.id)}.`,
    );
  }
  const problems = problemsOf(outcome);
  const text =
    problems !== undefined
      ? problems.map((p) => `• ${p.text}`).join('\n')
      : outcome.kind === 'cannot_post'
        ? buildCannotPostMessage(outcome.why).text
        : buildUnknownUserMessage().text;
  return buildInfoModal('Nothing changed', `:warning: Nothing was changed. Open the form again to fix this:\n${text}`);
}

/**
 * The form's submit: checked again against the cloud (the picked volumes, the policies and the
 * server afresh; never the view's word for anything), answered inline within Slack's 3 seconds
 * when the checks are that quick, and otherwise by a "checking" view that the result replaces.
 * The person may close the modal meanwhile: the request (if any) goes on, and the channel shows it.
 */
export function registerFormSubmit(app: SlackListeners, deps: FlowDeps, budgetMs: number): void {
  const marks = surfaceMarks(deps.sandbox);
  const marked = (a: Answer): Answer => (a.response_action === 'update' ? { ...a, view: marks.modal(a.view) } : a);
  app.view(VIEW_FORM, async ({ ack, body, view, client }) => {
    const actor = { teamId: teamIdOf(body), userId: body.user.id };
    const state = readFormState(view.state.values, deps.config);
    const work = submitForm(deps, actor, parseRequestId(view.private_metadata), state.selection);
    let first: Awaited<typeof work> | 'late';
    try {
      first = await beforeDeadline(budgetMs, work);
    } catch (e) {
      // Failed within the budget: the answer itself says so, and the modal stays open to try again.
      await ack(marked({ response_action: 'update', view: buildInfoModal('Request backup', userSafeSentence(e)) }));
      throw e;
    }
    if (first === undefined) {
      await ack(marked({ response_action: 'update', view: buildInfoModal('Request backup', NOT_YOURS) }));
      return;
    }
    if (first !== 'late') {
      await ack(marked(answerFor(first.outcome, state, first.draft, deps.config.projects.length > 1)));
      return;
    }
    await ack(
      marked({
        response_action: 'update',
        view: buildInfoModal('Request backup', ':hourglass_flowing_sand: Checking your request…'),
      }),
    );
    const submitted = await replaceHoldingViewOnFailure(
      deps.logger,
      client,
      { id: view.id, title: 'Nothing changed' },
      () => work,
    );
    const shown = submitted === undefined ? buildInfoModal('Request backup', NOT_YOURS) : lateView(submitted.outcome);
    await bestEffort(deps.logger, 'show the result in the form', () =>
      client.views.update({ view_id: view.id, view: marks.modal(shown) }),
    );
  });
}
