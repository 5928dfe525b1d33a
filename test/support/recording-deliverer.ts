import type { BackupRequest, MessageRef } from '../../src/domain/backup-request';
import type { RequestState } from '../../src/domain/request-state';
import type { DeliveryResult, DirectNotice, MessageDeliverer } from '../../src/flow/ports';
import type { OutboxMessage } from '../../src/store/request-store';

export interface Delivery {
  readonly requestId: string;
  /** The intent's kind; a thread note with its note: `thread.note:waiting`. */
  readonly kind: string;
  /** The request's state when the message was rendered. */
  readonly state: RequestState;
}

export const APPROVAL_CHANNEL = 'C0APPROVAL';

function kindOf(message: OutboxMessage): string {
  const intent = message.intent;
  return intent.kind === 'thread.note' ? `thread.note:${intent.note}` : intent.kind;
}

/**
 * Delivers nothing, records everything, in order. A root post answers with a root message ref and
 * a card post with an approval ref, as Slack's would; `failWith` makes deliveries fail.
 */
export class RecordingDeliverer implements MessageDeliverer {
  readonly deliveries: Delivery[] = [];
  /** When set, each delivery it returns a result for fails with that result (and is not recorded). */
  failWith: ((kind: string) => DeliveryResult | undefined) | undefined;
  private seq = 0;

  deliver(message: OutboxMessage, request: BackupRequest): Promise<DeliveryResult> {
    const kind = kindOf(message);
    const failure = this.failWith?.(kind);
    if (failure !== undefined) return Promise.resolve(failure);
    this.deliveries.push({ requestId: request.id, kind, state: request.state });
    const ref = (channel: string): MessageRef => ({ channel, ts: `1767258000.${String(++this.seq).padStart(6, '0')}` });
    if (kind === 'root.post') return Promise.resolve({ ok: true, root: ref(request.channel.id) });
    if (kind === 'card.post') return Promise.resolve({ ok: true, approval: ref(APPROVAL_CHANNEL) });
    return Promise.resolve({ ok: true });
  }

  /** Notices told outside the outbox, in order. */
  readonly notices: { readonly requestId: string; readonly notice: DirectNotice }[] = [];

  tellNow(request: BackupRequest, notice: DirectNotice): Promise<void> {
    this.notices.push({ requestId: request.id, notice });
    return Promise.resolve();
  }

  /** The kinds delivered (for one request, or all), in order. */
  kinds(requestId?: string): string[] {
    return this.deliveries.filter((d) => requestId === undefined || d.requestId === requestId).map((d) => d.kind);
  }
}
