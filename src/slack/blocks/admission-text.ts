import type { RateLimit } from '../../flow/request-limiter';
import { plural } from '../mrkdwn';
import type { SlackMessage } from './kit';
import { message, section } from './kit';

/** What every surface says to a workspace the bot does not serve; it names nothing of anyone's requests. */
export const WORKSPACE_REFUSED = 'This Slack workspace may not use the backup bot.';

/** "You have made 10 requests in the last minute; try again in 40 s." (whole seconds, rounded up). */
export function rateLimitText(rate: RateLimit): string {
  const seconds = Math.max(1, Math.ceil(rate.retryInMs / 1000));
  return `You have made ${plural(rate.limit, 'request')} in the last minute; try again in ${seconds} s.`;
}

/** The ephemeral answer to a request over the person's limit. */
export function buildRateLimitedMessage(rate: RateLimit): SlackMessage {
  const text = rateLimitText(rate);
  return message(text, [section(`:hourglass: ${text}`)]);
}

/** The ephemeral answer to a workspace the bot does not serve. */
export function buildWorkspaceRefusedMessage(): SlackMessage {
  const text = `${WORKSPACE_REFUSED} Nothing was sent.`;
  return message(text, [section(`:no_entry_sign: ${text}`)]);
}
