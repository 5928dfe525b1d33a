import type { WebClient } from '@slack/web-api';
import type { BackupRequest, MessageRef } from '../domain/backup-request';
import type { DeliveryResult, DirectNotice, MessageDeliverer } from '../flow/ports';
import type { OutboxMessage } from '../store/request-store';
import { buildApprovalCard, buildApprovalReminder } from './blocks/approval-card';
import type { SlackMessage } from './blocks/kit';
import { buildRootMessage } from './blocks/request-blocks';
import { buildSummaryMessage } from './blocks/summary-blocks';
import { buildDirectNotice, buildThreadNote } from './blocks/thread-notes';
import { buildFirstBackupMissing, buildFirstBackupNote } from './blocks/backup-notes';
import type { ChatCalls } from './chat-poster';
import type { Place, Wanted } from './posted-lookup';
import { findPosted, postMetadata } from './posted-lookup';
import { classifySlackError, slackErrorName } from './slack-errors';
import { completeStep } from './step-completion';

/**
 * The thread a request's replies go in: its own root message's, or for an undo its original's
 * (Slack threads are one level deep, so an undo's root message is itself a reply there).
 */
function threadOf(request: BackupRequest): { readonly channel: string; readonly threadTs: string } | undefined {
  const parent = request.thread ?? request.rootMessage;
  return parent && { channel: parent.channel, threadTs: parent.ts };
}

const NEVER_POSTED: DeliveryResult = { ok: false, retryable: false, error: 'the root message was never posted' };

/**
 * Posts what the outbox owes. The WebClient it is given must not retry on its own: a post that
 * timed out may have been made, and only this deliverer can tell (it tags each post with metadata
 * and, when a message was claimed before, looks for it before posting again). Edits are idempotent.
 */
export class SlackMessageDeliverer implements MessageDeliverer {
  private readonly chat: ChatCalls;

  /**
   * `approvalChannel`: where new approval cards go (config `approvals.channel`). `chat`: what posts
   * and edits messages, by default the client's own methods (the bot passes slack/chat-poster.ts's).
   */
  constructor(
    private readonly client: WebClient,
    private readonly approvalChannel: string | undefined,
    chat?: ChatCalls,
  ) {
    this.chat = chat ?? client.chat;
  }

  async deliver(message: OutboxMessage, request: BackupRequest): Promise<DeliveryResult> {
    try {
      return await this.send(message, request);
    } catch (e) {
      return { ok: false, ...classifySlackError(e) };
    }
  }

  async tellNow(request: BackupRequest, notice: DirectNotice): Promise<void> {
    const thread = threadOf(request);
    const body = buildDirectNotice(notice, request);
    await this.chat.postMessage({
      channel: thread?.channel ?? request.channel.id,
      ...(thread && { thread_ts: thread.threadTs }),
      ...body,
      unfurl_links: false,
    });
  }

  /**
   * Posts once: an earlier claim's post is adopted when found, so a timeout never makes a second
   * copy. `now`: whether this call posted it (rendered from `request` as it is); an adopted post
   * shows the request as it was when that claim rendered it.
   */
  private async postOnce(
    message: OutboxMessage,
    request: BackupRequest,
    place: Place,
    body: SlackMessage,
    options: { readonly broadcast?: boolean } = {},
  ): Promise<{ readonly ref: MessageRef; readonly now: boolean }> {
    if (message.claims > 1) {
      const found = await this.findEarlier(place, { requestId: request.id, messageId: message.id }, message.createdAt);
      if (found !== undefined) return { ref: found, now: false };
    }
    const post = {
      channel: place.channel,
      ...body,
      metadata: postMetadata(request.id, message.id, message.intent.kind),
      unfurl_links: false,
    };
    const res =
      place.threadTs === undefined
        ? await this.chat.postMessage(post)
        : await this.chat.postMessage({
            ...post,
            thread_ts: place.threadTs,
            reply_broadcast: options.broadcast === true,
          });
    if (typeof res.ts !== 'string') throw new Error('chat.postMessage returned no ts');
    return { ref: { channel: typeof res.channel === 'string' ? res.channel : place.channel, ts: res.ts }, now: true };
  }

  private async send(message: OutboxMessage, request: BackupRequest): Promise<DeliveryResult> {
    const root = request.rootMessage;
    const thread = threadOf(request);
    const intent = message.intent;
    switch (intent.kind) {
      case 'root.post': {
        if (root !== undefined) return { ok: true };
        const posted = await this.postOnce(
          message,
          request,
          request.thread === undefined
            ? { channel: request.channel.id }
            : { channel: request.thread.channel, threadTs: request.thread.ts },
          buildRootMessage(request),
        );
        return { ok: true, root: posted.ref, ...(posted.now && { rendered: true }) };
      }
      case 'root.update': {
        if (root === undefined) return NEVER_POSTED;
        await this.chat.update({ channel: root.channel, ts: root.ts, ...buildRootMessage(request) });
        return { ok: true, rendered: true };
      }
      case 'thread.summary': {
        if (thread === undefined) return NEVER_POSTED;
        if (request.outcome === undefined) return { ok: false, retryable: false, error: 'the request has no outcome' };
        await this.postOnce(message, request, thread, buildSummaryMessage(request, request.outcome).message);
        return { ok: true };
      }
      case 'thread.summary_file':
        return this.uploadSummaryFile(message, request);
      case 'thread.note': {
        if (thread === undefined) return NEVER_POSTED;
        await this.postOnce(message, request, thread, buildThreadNote(intent.note, request));
        return { ok: true };
      }
      case 'card.post': {
        if (request.approvalMessage !== undefined) return { ok: true };
        if (this.approvalChannel === undefined)
          return { ok: false, retryable: false, error: 'no approvals channel is configured' };
        const card = await this.postOnce(
          message,
          request,
          { channel: this.approvalChannel },
          buildApprovalCard(request),
        );
        return { ok: true, approval: card.ref };
      }
      case 'card.update': {
        const card = request.approvalMessage;
        if (card === undefined) return { ok: false, retryable: false, error: 'the approval card was never posted' };
        await this.chat.update({ channel: card.channel, ts: card.ts, ...buildApprovalCard(request) });
        return { ok: true };
      }
      case 'card.remind': {
        const card = request.approvalMessage;
        if (card === undefined) return { ok: false, retryable: false, error: 'the approval card was never posted' };
        if (request.state !== 'pending_approval') return { ok: true };
        const place = { channel: card.channel, threadTs: card.ts };
        await this.postOnce(message, request, place, buildApprovalReminder(request), { broadcast: true });
        return { ok: true };
      }
      case 'thread.first_backup': {
        if (thread === undefined) return NEVER_POSTED;
        const note = buildFirstBackupNote(request, intent.volumeId);
        if (note === undefined)
          return { ok: false, retryable: false, error: 'no first backup recorded for that volume' };
        await this.postOnce(message, request, thread, note);
        return { ok: true };
      }
      case 'thread.first_backup_missing': {
        if (thread === undefined) return NEVER_POSTED;
        const note = buildFirstBackupMissing(request);
        if (note === undefined) return { ok: true };
        await this.postOnce(message, request, thread, note);
        return { ok: true };
      }
      case 'step.complete':
        return completeStep(this.client, message, request);
      case 'unreadable':
        return { ok: false, retryable: false, error: `unknown message kind ${intent.stored}` };
    }
  }

  /** The summary's CSV, a message of its own: a failed upload is retried without posting the summary twice. */
  private async uploadSummaryFile(message: OutboxMessage, request: BackupRequest): Promise<DeliveryResult> {
    const place = threadOf(request);
    if (place === undefined || request.outcome === undefined)
      return { ok: false, retryable: false, error: 'nothing to attach the file to' };
    const { csv } = buildSummaryMessage(request, request.outcome);
    if (csv === undefined) return { ok: true };
    // A file carries no metadata: an earlier upload is recognised by its name, which holds the request id.
    if (message.claims > 1 && (await this.findEarlier(place, { filename: csv.filename }, message.createdAt)))
      return { ok: true };
    const upload = () =>
      this.client.files.uploadV2({
        channel_id: place.channel,
        thread_ts: place.threadTs,
        filename: csv.filename,
        title: csv.title,
        content: csv.content,
      });
    await this.asMember(place, upload);
    return { ok: true };
  }

  /**
   * chat:write.public lets the bot post in a public channel it never joined, but a file and the
   * history need membership: on `not_in_channel` it joins (public channels only) and asks once more.
   */
  private async asMember<T>(place: Place, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      if (slackErrorName(e) !== 'not_in_channel') throw e;
      await this.client.conversations.join({ channel: place.channel });
      return call();
    }
  }

  /**
   * An earlier claim's post, looked for before posting again (see `findPosted`). In a public channel
   * the bot only posted in, the look needs membership first: without it, every retried post there
   * failed its look-up, was given up, and the request's whole thread with it.
   */
  private findEarlier(place: Place, wanted: Wanted, owedAt: number): Promise<MessageRef | undefined> {
    return this.asMember(place, () => findPosted(this.client, place, wanted, owedAt));
  }
}
