/** Reading the bot's answers to interactions the way Slack would, failing where Slack would show an error. */
import { checkSuggestionOptions } from './slack-stand-in/block-check';
import type { StandInView } from './slack-stand-in/state';

/** One option of an external select, as the bot answers it. */
export interface SuggestionOption {
  text: { text: string };
  value: string;
}

/** The bot's answer to a view_submission; throws on anything but a 200, as Slack would show an error. */
export function readViewSubmissionAnswer(
  stored: StandInView,
  res: { status: number; body: string },
): Record<string, unknown> {
  if (res.status !== 200)
    throw new Error(
      `the bot answered the view_submission of ${stored.id} with HTTP ${res.status}${res.body ? ` (${res.body.slice(0, 200)})` : ''}: ` +
        'Slack needs a 200 within three seconds (Bolt answers 404 when no listener acked in time), ' +
        'so the person would see an error instead of an answer',
    );
  return parseAnswer(res.body, `the view_submission of ${stored.id}`);
}

/** The view a `response_action: update` answer puts in place of the submitted one, if that is the answer. */
export function updatedView(answer: Record<string, unknown>): Record<string, unknown> | undefined {
  if (answer['response_action'] === 'update' && typeof answer['view'] === 'object' && answer['view'] !== null) {
    return answer['view'] as Record<string, unknown>;
  }
  return undefined;
}

/**
 * The options the bot answered to a block_suggestion. Throws when Slack would show none of them: an
 * answer other than 200, more than 100 options, or an option beyond Slack's limits.
 */
export function readSuggestionOptions(actionId: string, res: { status: number; body: string }): SuggestionOption[] {
  if (res.status !== 200)
    throw new Error(
      `the bot answered the block_suggestion for ${actionId} with HTTP ${res.status}: ` +
        'Slack needs a 200 within three seconds, else the menu shows no options',
    );
  const parsed = parseAnswer(res.body, `the block_suggestion for ${actionId}`) as {
    options?: SuggestionOption[];
  };
  const problems = checkSuggestionOptions(parsed.options);
  if (problems.length > 0)
    throw new Error(`Slack would refuse the options the bot answered for ${actionId}: ${problems.join('; ')}`);
  return parsed.options ?? [];
}

/** The bot's JSON answer to an interaction (an empty body is an empty answer). */
function parseAnswer(body: string, what: string): Record<string, unknown> {
  if (body === '') return {};
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new Error(`the bot answered ${what} with a body that is not JSON: ${body.slice(0, 200)}`);
  }
}
