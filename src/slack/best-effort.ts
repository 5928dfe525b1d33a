import type { Logger } from '../log/logger';
import { slackErrorName } from './slack-errors';

/**
 * Runs a Slack call that only informs (a modal's closing text, an ephemeral note): if it fails,
 * the failure is logged and the work that matters goes on.
 */
export async function bestEffort(logger: Logger, what: string, call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (e) {
    logger.warn(`could not ${what}`, { slackError: slackErrorName(e) });
  }
}
