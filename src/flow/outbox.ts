import type { BackupRequest } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { Logger } from '../log/logger';
import { withLogFields } from '../log/logger';
import type { OutboxMessage } from '../store/request-store';
import { withHeartbeat } from './heartbeat';
import type { Clock, DeliveryResult, FlowMetrics, MessageDeliverer, RequestStore } from './ports';
import { NO_METRICS } from './ports';

export interface OutboxOptions {
  readonly owner: string;
  readonly leaseMs?: number;
  /** Waits between attempts; after the last one a message is given up (and that is audited). */
  readonly backoffMs?: readonly number[];
  /** Counts claims taken over from a deliverer whose claim ran out. */
  readonly metrics?: Pick<FlowMetrics, 'leaseTakenOver'>;
}

/** A message claimed for delivery: the claim's owner, and the request's open messages when just read. */
interface Claimed {
  readonly message: OutboxMessage;
  readonly owner: string;
  readonly open: readonly OutboxMessage[] | undefined;
}

/** How an attempt ended; a delivery's completion may have claimed the request's next message. */
interface Attempted {
  readonly result: 'delivered' | 'retry_later' | 'given_up';
  readonly next: Claimed | undefined;
}

const DEFAULT_BACKOFF_MS = [2_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000];
/** A claim held this long without renewal is taken over; a live deliverer renews it (withHeartbeat). */
const DEFAULT_CLAIM_MS = 15_000;

/**
 * Every Slack message the bot owes goes through here: recorded first, delivered at once when
 * Slack answers, retried by the scheduler when it does not. A request's messages go out in order.
 */
export class Outbox {
  private claimSeq = 0;
  /** Set by handOver(): no message is claimed any more, and one claimed but not attempted is given back. */
  private handingOver = false;
  private readonly leaseMs: number;
  private readonly backoffMs: readonly number[];

  constructor(
    private readonly store: Pick<RequestStore, 'requests' | 'audit' | 'outbox'>,
    private readonly deliverer: MessageDeliverer,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: OutboxOptions,
  ) {
    this.leaseMs = options.leaseMs ?? DEFAULT_CLAIM_MS;
    this.backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  }

  /** A claim token unique to this attempt, so two flushes in one process never share a claim. */
  private nextOwner(): string {
    this.claimSeq += 1;
    return `${this.options.owner}#${this.claimSeq}`;
  }

  /** Delivers the request's due messages in order, until one is not deliverable now. */
  async flushRequest(requestId: RequestId): Promise<void> {
    if (this.handingOver) return;
    await this.deliverFrom(await this.claimHead(requestId));
  }

  /**
   * For a stop: from now on no message is claimed, attempts under way finish, and a message
   * claimed but not yet attempted is given back (releaseClaim), so whoever delivers next (another
   * replica, or the next start) can take it at once rather than after the claim's lease.
   */
  handOver(): void {
    this.handingOver = true;
  }

  /** One pass of the retry loop: every request with a due message gets a flush. */
  async drain(limit = 50): Promise<number> {
    let handled = 0;
    // One claim at a time, each delivered at once: a batch claimed up front could outlive its
    // lease while earlier messages are slow, and be delivered a second time by someone else.
    while (handled < limit && !this.handingOver) {
      const owner = this.nextOwner();
      const [message] = await this.store.outbox.claimDue(owner, this.clock.now(), this.leaseMs, 1);
      if (message === undefined) break;
      handled += 1;
      await this.deliverFrom({ message, owner, open: undefined });
    }
    return handled;
  }

  /** The request's oldest open message, claimed if it is due. */
  private async claimHead(requestId: RequestId): Promise<Claimed | undefined> {
    const open = await this.store.outbox.listOpen(requestId);
    const [head] = open;
    if (head === undefined || head.nextAttemptAt > this.clock.now()) return undefined;
    const owner = this.nextOwner();
    const message = await this.store.outbox.claim(head.id, owner, this.clock.now(), this.leaseMs);
    return message === undefined ? undefined : { message, owner, open };
  }

  /**
   * Delivers `claimed` and the request's messages after it, in order. A delivered message's
   * completion claims the next one in its own transaction; after a message given up, the next one
   * is claimed as a flush claims it.
   */
  private async deliverFrom(claimed: Claimed | undefined): Promise<void> {
    let current = claimed;
    while (current !== undefined) {
      if (this.handingOver) {
        await this.giveBack(current);
        return;
      }
      this.countTakeover(current.message);
      const outcome = await this.attempt(current.message, current.owner, current.open);
      if (outcome.result === 'retry_later') return;
      current = outcome.result === 'delivered' ? outcome.next : await this.claimHead(current.message.requestId);
    }
  }

  /** A claim not attempted, given back; when that fails, the claim runs out at the end of its lease. */
  private async giveBack({ message, owner }: Claimed): Promise<void> {
    try {
      await this.store.outbox.releaseClaim(message.id, owner, message.takenOver === true);
    } catch (e) {
      this.logger.warn('could not give back a claimed message; another deliverer takes it when the claim runs out', {
        requestId: message.requestId,
        error: e,
      });
    }
  }

  private countTakeover(message: OutboxMessage): void {
    if (message.takenOver !== true) return;
    this.logger.info('took over a message whose claim ran out', {
      requestId: message.requestId,
      claims: message.claims,
    });
    (this.options.metrics ?? NO_METRICS).leaseTakenOver('outbox_claim');
  }

  /**
   * One delivery attempt, every line logged under it naming the request (the Slack calls' too).
   * `open`: the request's open messages, when the caller has just read them.
   */
  private attempt(
    message: OutboxMessage,
    owner: string,
    open: readonly OutboxMessage[] | undefined,
  ): Promise<Attempted> {
    return withLogFields({ requestId: message.requestId }, () => this.attemptNamed(message, owner, open));
  }

  /**
   * The edits of the root message owed behind `message`, when delivering it renders the root
   * message: the list is read before the request is (`open` was), so whatever state those edits
   * were owed for is in the request the message is rendered from, and a post or edit made from it
   * shows that state. They are closed with the message instead of sending the same text again (when
   * Slack was slow or down, a request's root post can still be owed after it finished).
   */
  private async editsBehind(message: OutboxMessage, open: readonly OutboxMessage[] | undefined): Promise<number[]> {
    const kind = message.intent.kind;
    if (kind !== 'root.post' && kind !== 'root.update') return [];
    const list = open ?? (await this.store.outbox.listOpen(message.requestId));
    return list.filter((m) => m.id > message.id && m.intent.kind === 'root.update').map((m) => m.id);
  }

  /** A message given up for good lets the request's next message go. */
  private async attemptNamed(
    message: OutboxMessage,
    owner: string,
    open: readonly OutboxMessage[] | undefined,
  ): Promise<Attempted> {
    const editsBehind = await this.editsBehind(message, open);
    const request = await this.store.requests.get(message.requestId);
    let result: DeliveryResult;
    if (request === undefined) result = { ok: false, retryable: false, error: 'request not found' };
    else {
      try {
        result = await withHeartbeat(
          {
            leaseMs: this.leaseMs,
            now: () => this.clock.now(),
            // Claimed a moment ago (the claim is this attempt's own).
            heldSince: this.clock.now(),
            renew: () => this.store.outbox.renewClaim(message.id, owner, this.clock.now() + this.leaseMs),
            // Another deliverer has it now: this attempt's result still counts only if it completes
            // first (complete() checks the owner), and the other one looks before it posts.
            onLost: () => undefined,
            logger: this.logger,
            what: `outbox message ${message.id}`,
          },
          () => this.deliverer.deliver(message, request),
        );
      } catch (e) {
        result = { ok: false, retryable: true, error: e instanceof Error ? e.message : String(e) };
      }
    }
    const now = this.clock.now();
    const backoff = result.ok || !result.retryable ? undefined : this.backoffMs[message.attempts];
    // A step told, or given up on, is closed before the message is (a crash between the two leaves
    // the message to retry, not a step token kept). Given up only while this attempt still holds the
    // message: a late failure after another deliverer took it over says nothing of the step.
    const endsStep = request !== undefined && message.intent.kind === 'step.complete' && backoff === undefined;
    if (endsStep && (result.ok || (await this.store.outbox.renewClaim(message.id, owner, now + this.leaseMs))))
      await this.closeStep(request, result, now);
    if (result.ok) {
      const posted =
        result.root !== undefined || result.approval !== undefined
          ? {
              requestId: message.requestId,
              ...(result.root && { root: result.root }),
              ...(result.approval && { approval: result.approval }),
            }
          : undefined;
      // Only what this delivery rendered covers the edits behind it (an adopted earlier post does
      // not), and not after a takeover: the holder whose claim ran out may still be sending an older
      // rendering, which could land after this one with no edit left to follow it.
      const covered = result.rendered === true && message.takenOver !== true ? editsBehind : [];
      const audit =
        request === undefined
          ? []
          : [
              {
                requestId: request.id,
                teamId: request.teamId,
                at: now,
                actor: 'bot' as const,
                kind: 'message_posted' as const,
                detail: { kind: message.intent.kind, ...(covered.length > 0 && { coveredEdits: covered.length }) },
              },
            ];
      // Handing over, the completion claims nothing after it.
      const nextClaim = this.handingOver ? undefined : { owner: this.nextOwner(), leaseMs: this.leaseMs };
      const after = await this.store.outbox.complete(
        message.id,
        owner,
        now,
        { ...(posted && { posted }), audit, ...(covered.length > 0 && { covered }) },
        nextClaim,
      );
      const next = after?.claimed && nextClaim && { message: after.claimed, owner: nextClaim.owner, open: after.open };
      return { result: 'delivered', next };
    }
    // Slack's Retry-After is a floor for the next attempt.
    const wait = backoff === undefined ? undefined : Math.max(backoff, result.retryAfterMs ?? 0);
    const recorded = await this.store.outbox.fail(
      message.id,
      owner,
      result.error,
      wait === undefined ? undefined : now + wait,
      now,
    );
    if (!recorded) {
      // Its claim ran out meanwhile: the message is another deliverer's now, and what became of it is theirs to say.
      this.logger.info('an attempt failed after its claim passed to another deliverer; not recorded', {
        requestId: message.requestId,
        kind: message.intent.kind,
        failure: result.error,
      });
      return { result: 'retry_later', next: undefined };
    }
    if (wait === undefined) {
      this.logger.error('giving up on a Slack message', {
        requestId: message.requestId,
        kind: message.intent.kind,
        attempts: message.attempts + 1,
        failure: result.error,
      });
      // A request that is gone has no audit trail to write to.
      if (request !== undefined)
        await this.store.audit.append({
          requestId: request.id,
          teamId: request.teamId,
          at: now,
          actor: 'bot',
          kind: 'message_failed',
          detail: { kind: message.intent.kind, attempts: message.attempts + 1, error: result.error },
        });
    } else {
      this.logger.warn('Slack message not delivered; will retry', {
        requestId: message.requestId,
        kind: message.intent.kind,
        attempt: message.attempts + 1,
        failure: result.error,
      });
    }
    return { result: wait === undefined ? 'given_up' : 'retry_later', next: undefined };
  }

  /**
   * A workflow step is told once: when its completion went out or was given up, its token is
   * forgotten, and when Slack would not take the token any more, the thread says so (queued with the
   * forgetting, behind the completion, so it follows whatever replica gives the completion up).
   */
  private async closeStep(request: BackupRequest, result: DeliveryResult, now: number): Promise<void> {
    const unreachable = !result.ok && result.stepUnreachable === true;
    await this.store.requests.closeStep(
      request.id,
      now,
      unreachable ? { messages: [{ kind: 'thread.note', note: 'step_unreachable' }] } : {},
    );
  }
}
