import type { WebClient } from '@slack/web-api';
import type { Logger } from '../log/logger';
import { buildInfoModal } from './blocks/approval-modal';
import { bestEffort } from './best-effort';
import { userSafeSentence } from './error-reply';

/**
 * Runs `work` while a modal shows a holding view ("Checking…", "Recording…"). If the work throws,
 * the modal is replaced by the safe sentence first (a view has no response_url, so the error
 * handler could not tell the person), then the error goes on to the error handler to be logged.
 */
export async function replaceHoldingViewOnFailure<T>(
  logger: Logger,
  client: WebClient,
  view: { readonly id: string; readonly title: string },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (e) {
    await bestEffort(logger, 'replace the holding view', () =>
      client.views.update({ view_id: view.id, view: buildInfoModal(view.title, userSafeSentence(e)) }),
    );
    throw e;
  }
}
