import type { WebClient } from '@slack/web-api';
import type { BackupRequest } from '../domain/backup-request';
import type { DeliveryResult, MessageDeliverer } from '../flow/ports';
import type { OutboxMessage } from '../store/request-store';
import { buildRootMessage } from './blocks/request-blocks';
import { buildApprovalCard, buildApprovalReminder } from './blocks/approval-card';
import { buildSummaryMessage } from './blocks/summary-blocks';
import { buildThreadNote } from './blocks/thread-notes';
import { classifySlackError, slackErrorName } from './slack-errors';

function notYet(error: string): DeliveryResult {
  return { ok: false, retryable: true, error };
}

export class SlackMessageDeliverer implements MessageDeliverer {
  /** `approvalChannel`: where new approval cards go (config `approvals.channel`). */
  constructor(
    private readonly client: WebClient,
    private readonly approvalChannel: string | undefined,
  ) {}

  async deliver(message: OutboxMessage, request: BackupRequest): Promise<DeliveryResult> {
    try {
      return await this.send(message, request);
    } catch (e) {
      return { ok: false, ...classifySlackError(e) };
    }
  }

  private async send(message: OutboxMessage, request: BackupRequest): Promise<DeliveryResult> {
    const root = request.rootMessage;
    const intent = message.intent;
    switch (intent.kind) {
      case 'root.post': {
        if (root !== undefined) return { ok: true };
        const res = await this.client.chat.postMessage({
          channel: request.channel.id,
          ...buildRootMessage(request),
          unfurl_links: false,
        });
        if (typeof res.ts !== 'string') return notYet('chat.postMessage returned no ts');
        return {
          ok: true,
          root: { channel: typeof res.channel === 'string' ? res.channel : request.channel.id, ts: res.ts },
        };
      }
      case 'root.update': {
        if (root === undefined) return { ok: false, retryable: false, error: 'the root message was never posted' };
        await this.client.chat.update({ channel: root.channel, ts: root.ts, ...buildRootMessage(request) });
        return { ok: true };
      }
      case 'thread.summary': {
        if (root === undefined) return { ok: false, retryable: false, error: 'the root message was never posted' };
        if (request.outcome === undefined) return { ok: false, retryable: false, error: 'the request has no outcome' };
        const summary = buildSummaryMessage(request, request.outcome);
        await this.client.chat.postMessage({
          channel: root.channel,
          thread_ts: root.ts,
          ...summary.message,
          unfurl_links: false,
        });
        return { ok: true };
      }
      case 'thread.summary_file': {
        // A separate message from the summary, so a failed upload is retried without posting the summary twice.
        if (root === undefined || request.outcome === undefined)
          return { ok: false, retryable: false, error: 'nothing to attach the file to' };
        const { csv } = buildSummaryMessage(request, request.outcome);
        if (csv === undefined) return { ok: true };
        const upload = () =>
          this.client.files.uploadV2({
            channel_id: root.channel,
            thread_ts: root.ts,
            filename: csv.filename,
            title: csv.title,
            content: csv.content,
          });
        try {
          await upload();
        } catch (e) {
          // chat:write.public lets the bot post in a public channel it never joined, but a file needs
          // membership: join (public channels only) and upload once more.
          if (slackErrorName(e) !== 'not_in_channel') throw e;
          await this.client.conversations.join({ channel: root.channel });
          await upload();
        }
        return { ok: true };
      }
      case 'thread.note': {
        if (root === undefined) return { ok: false, retryable: false, error: 'the root message was never posted' };
        await this.client.chat.postMessage({
          channel: root.channel,
          thread_ts: root.ts,
          ...buildThreadNote(intent.note, request),
          unfurl_links: false,
        });
        return { ok: true };
      }
      case 'card.post': {
        if (request.approvalMessage !== undefined) return { ok: true };
        if (this.approvalChannel === undefined)
          return { ok: false, retryable: false, error: 'no approvals channel is configured' };
        const res = await this.client.chat.postMessage({
          channel: this.approvalChannel,
          ...buildApprovalCard(request),
          unfurl_links: false,
        });
        if (typeof res.ts !== 'string') return notYet('chat.postMessage returned no ts');
        return {
          ok: true,
          approval: { channel: typeof res.channel === 'string' ? res.channel : this.approvalChannel, ts: res.ts },
        };
      }
      case 'card.update': {
        const card = request.approvalMessage;
        if (card === undefined) return { ok: false, retryable: false, error: 'the approval card was never posted' };
        await this.client.chat.update({ channel: card.channel, ts: card.ts, ...buildApprovalCard(request) });
        return { ok: true };
      }
      case 'card.remind': {
        const card = request.approvalMessage;
        if (card === undefined) return { ok: false, retryable: false, error: 'the approval card was never posted' };
        if (request.state !== 'pending_approval') return { ok: true };
        await this.client.chat.postMessage({
          channel: card.channel,
          thread_ts: card.ts,
          reply_broadcast: true,
          ...buildApprovalReminder(request),
        });
        return { ok: true };
      }
      case 'unreadable':
        return { ok: false, retryable: false, error: `unknown message kind ${intent.stored}` };
    }
  }
}
