import type { BackupRequest } from '../../domain/backup-request';
import { stripInvisible } from '../../domain/visible-text';
import type { StepOutcome } from '../../flow/workflow-step';
import { escapeText, truncate, utcTime } from '../mrkdwn';
import { rateLimitText } from './admission-text';
import { CANNOT_POST, UNKNOWN_USER_TEXT } from './reply-blocks';

/*
 * What a workflow step is told. Slack shows a failed step's error to the person who ran the workflow
 * (Slackbot says it), so it is the sentence a person typing the command would read, as plain text:
 * the code spans around names dropped, nothing Slack would act on, one line.
 */

/** Longest error a step is failed with: one or two sentences. */
const MAX_STEP_ERROR = 1000;

/** The outputs of a finished step, as the manifest declares them (`functions.protect_volumes.output_parameters`). */
export interface StepOutputs {
  readonly request_id: string;
  readonly state: string;
  readonly added_count: number;
  readonly failed_count: number;
  /** The request's thread (its root message), where the summary is; absent when the root message was never posted. */
  readonly thread_ts?: string;
}

/** How a step ends: with outputs when the request ran, with an error when it never will. */
export type StepEnding =
  { readonly kind: 'success'; readonly outputs: StepOutputs } | { readonly kind: 'error'; readonly error: string };

/** A sentence the bot composed (names in code spans) as plain text for a step's error. */
export function plainSentence(text: string): string {
  const line = stripInvisible(text)
    .replace(/`([^`]*)`/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  return escapeText(truncate(line, MAX_STEP_ERROR));
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** Why a step's request was not made, in the typed command's words; undefined when it was (or is being) made. */
export function stepRefusalText(outcome: StepOutcome): string | undefined {
  switch (outcome.kind) {
    case 'invalid':
      return plainSentence(`${outcome.problems.map((p) => p.text).join(' ')} Nothing was changed.`);
    case 'cannot_post':
      return plainSentence(CANNOT_POST[outcome.why]);
    case 'unknown_user':
      return plainSentence(UNKNOWN_USER_TEXT);
    case 'denied':
      return plainSentence(`${capitalised(outcome.decision.reason)}. Nothing was changed.`);
    case 'rate_limited':
      return plainSentence(`${rateLimitText(outcome.rate)} Nothing was changed.`);
    case 'accepted':
    case 'duplicate':
      return undefined;
  }
}

/** How a request ends its workflow step, rendered as it is now; undefined while it has not ended. */
export function stepEnding(request: BackupRequest): StepEnding | undefined {
  switch (request.state) {
    case 'succeeded':
    case 'partially_failed':
    case 'failed': {
      const thread = request.thread ?? request.rootMessage;
      return {
        kind: 'success',
        outputs: {
          request_id: request.id,
          state: request.state,
          added_count: request.outcome?.added.length ?? 0,
          failed_count: request.outcome?.failed.length ?? 0,
          ...(thread !== undefined && { thread_ts: thread.ts }),
        },
      };
    }
    case 'denied': {
      const comment = request.approval?.comment;
      return {
        kind: 'error',
        error: plainSentence(
          `Request ${request.id} was denied by an approver${comment === undefined ? '' : `: ${comment}`}. Nothing was changed.`,
        ),
      };
    }
    case 'expired': {
      const at = request.approval === undefined ? '' : ` at ${utcTime(request.approval.expiresAt)}`;
      return {
        kind: 'error',
        error: plainSentence(`Request ${request.id} expired${at}: nobody decided in time. Nothing was changed.`),
      };
    }
    case 'cancelled':
      return {
        kind: 'error',
        error: plainSentence(`Request ${request.id} was cancelled by the person who asked. Nothing was changed.`),
      };
    case 'pending_approval':
    case 'approved':
    case 'allowed':
    case 'running':
      return undefined;
  }
}
