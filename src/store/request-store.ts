import type {
  BackupWatch,
  ApprovalInfo,
  AuditEvent,
  BackupRequest,
  EpochMs,
  ExecutionOutcome,
  MessageRef,
} from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { MessageIntent } from '../domain/message-intent';
import type { StartState, Transition } from '../domain/request-state';

/** A request as it is first recorded; the store sets state-independent bookkeeping (updatedAt). */
export type NewRequest = Omit<
  BackupRequest,
  'state' | 'updatedAt' | 'outcome' | 'rootMessage' | 'approvalMessage' | 'watch'
> & {
  readonly state: StartState;
};

export type CreateResult =
  | { readonly created: true; readonly request: BackupRequest }
  | { readonly created: false; readonly existing: BackupRequest };

/** Fields a transition may set together with the new state, in the same compare-and-set. */
export interface TransitionPatch {
  readonly approval?: ApprovalInfo;
  readonly outcome?: ExecutionOutcome;
  /** Taking `running`: who runs it and until when the claim holds (renewed while running). */
  readonly runner?: { readonly owner: string; readonly leaseUntil: EpochMs };
  /**
   * Leaving `running`: applies only while this runner still holds the run. A runner whose claim was
   * taken over (it stalled past its lease) must not record its outcome over the one running it now.
   */
  readonly heldBy?: string;
  /** Finishing: watch the first backups of what was added (BackupWatches takes it from there). */
  readonly watch?: BackupWatch;
}

export interface RequestQuery {
  readonly teamId: string;
  /** Only this requester's requests; leave out for everyone's. */
  readonly requesterId?: string;
  readonly since: EpochMs;
  readonly limit: number;
}

/** A stored message whose kind this version of the bot does not know (written by a newer one): never delivered. */
export interface UnreadableIntent {
  readonly kind: 'unreadable';
  readonly stored: string;
}

/** One Slack message the bot owes: delivered at once when it can, retried from here when it cannot. */
export interface OutboxMessage {
  readonly id: number;
  readonly requestId: RequestId;
  readonly intent: MessageIntent | UnreadableIntent;
  readonly attempts: number;
  /** How many times it has been claimed, this claim included: above 1, an earlier delivery may have reached Slack. */
  readonly claims: number;
  /** Set by a claim that took the message from a holder whose claim had run out (that holder stopped or stalled). */
  readonly takenOver?: boolean;
  readonly nextAttemptAt: EpochMs;
  readonly createdAt: EpochMs;
  readonly lastError: string | undefined;
}

/** What a state change brings with it, committed in the same transaction (or not at all). */
export interface StoreEffects {
  readonly audit?: readonly AuditEvent[];
  readonly messages?: readonly NewOutboxMessage[];
}

export type NewOutboxMessage = MessageIntent;

/** What a delivered message leaves behind, written with its completion. */
export interface Delivered {
  /** The request's root message or approval card, when this message posted it. */
  readonly posted?: { readonly requestId: RequestId; readonly root?: MessageRef; readonly approval?: MessageRef };
  readonly audit?: readonly AuditEvent[];
  /**
   * Owed edits of the request's root message (`root.update`) that this delivery made unneeded: it
   * posted or edited the root message from the request as read after they were owed. Closed with the
   * message, in its transaction, if the claim was still this owner's and they are still open edits
   * of the same request.
   */
  readonly covered?: readonly number[];
}

/** Who claims a request's next message in the transaction that completes the one before it. */
export interface NextClaim {
  readonly owner: string;
  readonly leaseMs: number;
}

/**
 * What a completion asked to claim the next message found, in its transaction: the request's open
 * messages once the completed one was done, oldest first (as listOpen, read before the claim), and
 * the first of them claimed for the new owner when it could be (as claim: due, and not held by a
 * live claim); undefined when it could not.
 */
export interface AfterCompletion {
  readonly open: readonly OutboxMessage[];
  readonly claimed: OutboxMessage | undefined;
}

/**
 * A request being put together in a modal: who opened it, in which workspace and channel. The
 * modal carries only its id (`private_metadata`); on submit the draft must belong to the submitter,
 * and it becomes the request with the same id.
 */
export interface RequestDraft {
  readonly id: RequestId;
  readonly teamId: string;
  readonly userId: string;
  /** The channel the command was typed in; undefined for a global shortcut (the modal asks). */
  readonly channelId: string | undefined;
  readonly createdAt: EpochMs;
  readonly expiresAt: EpochMs;
}

export { StoreUnavailableError } from './store-errors';

/**
 * A request's record and its state machine. Every state change is a compare-and-set on the current
 * state, so of two replicas, clicks or retries exactly one wins.
 */
export interface RequestRecords {
  /**
   * Records a new request unless one with the same dedupe key was created within `windowMs`
   * before `now` (a double submit): then returns that one. Atomic across replicas. `effects` are
   * written with a new request, in the same transaction.
   */
  create(
    request: NewRequest,
    dedupe: { readonly key: string; readonly windowMs: number },
    now: EpochMs,
    effects?: StoreEffects,
  ): Promise<CreateResult>;
  get(id: RequestId): Promise<BackupRequest | undefined>;
  /**
   * The request `create` would return for this dedupe key now, if any: one recorded under it within
   * `windowMs` before `now`. A read only; `create` alone decides, atomically.
   */
  deduped(key: string, windowMs: number, now: EpochMs): Promise<BackupRequest | undefined>;
  /**
   * Compare-and-set: applies only if the request is still in `step.from`. Returns the new record, or
   * undefined if it lost. `effects` are written in the same transaction, only when it wins: a state
   * change, its audit entries and the Slack messages that announce it are never separated by a crash.
   */
  transition(
    id: RequestId,
    step: Transition,
    patch: TransitionPatch,
    now: EpochMs,
    effects?: StoreEffects,
  ): Promise<BackupRequest | undefined>;
  /** Records where the bot's messages about a request are (set once each; later calls keep the first). */
  setMessages(
    id: RequestId,
    messages: { readonly root?: MessageRef; readonly approval?: MessageRef },
    now: EpochMs,
  ): Promise<BackupRequest | undefined>;
  /** Marks the approval reminder sent; true only for the caller that set it, whose `effects` are written with it. */
  markReminded(id: RequestId, now: EpochMs, effects?: StoreEffects): Promise<boolean>;
  /**
   * Forgets the token of the workflow step that made the request, once the step was told how it
   * ended or could not be; true only for the caller that forgot it, whose `effects` are written with it.
   */
  closeStep(id: RequestId, now: EpochMs, effects?: StoreEffects): Promise<boolean>;
  /** Extends the running claim; false if another owner holds it now. */
  renewRun(id: RequestId, owner: string, leaseUntil: EpochMs): Promise<boolean>;
  /**
   * Gives a running request back (its runner is stopping): another runner may take it over at once,
   * and this one can no longer finish it (`TransitionPatch.heldBy`). False if this owner does not hold it.
   */
  releaseRun(id: RequestId, owner: string): Promise<boolean>;
  /**
   * Takes a `running` request no runner holds: one its runner gave back (`handed_over`: a stopping
   * replica's) or whose claim expired (`taken_over`: its runner died or stalled). For exactly one
   * caller; undefined for the others, and while a runner holds it.
   */
  claimStaleRun(id: RequestId, owner: string, leaseUntil: EpochMs, now: EpochMs): Promise<StaleRunClaim | undefined>;
  /**
   * Drops the double-submit keys whose window ended at or before `now` (no `create` would count them
   * any more); returns how many. Without it the key table grows by one row per request, forever.
   */
  forgetExpiredDedupe(now: EpochMs): Promise<number>;
}

/**
 * Watching the first backups of finished requests (the watch lives on the request). One replica at
 * a time works a watch: it claims it with a lease, asks the cloud, and saves what it found with the
 * messages that announce it, in one transaction.
 */
export interface BackupWatches {
  /** Requests whose watch is due (`nextCheckAt` <= now) and not held by a live claim; soonest first. Indexed. */
  listDue(now: EpochMs, limit: number): Promise<BackupRequest[]>;
  /** Takes a due watch for `owner` until `leaseUntil`; true for exactly one caller. */
  claim(id: RequestId, owner: string, leaseUntil: EpochMs, now: EpochMs): Promise<boolean>;
  /**
   * Saves the watch and writes `effects` with it, if `owner` still holds the claim (then releases
   * it); undefined when another replica took it over.
   */
  save(
    id: RequestId,
    owner: string,
    watch: BackupWatch,
    now: EpochMs,
    effects?: StoreEffects,
  ): Promise<BackupRequest | undefined>;
}

/** The lists the scheduler, the App Home and the history read; each is an indexed query. */
export interface RequestQueries {
  listStaleRunning(now: EpochMs, limit: number): Promise<BackupRequest[]>;
  /**
   * `allowed` or `approved` requests last changed at or before `before`: ones whose start was
   * interrupted (the process stopped between the decision and the run). Oldest first.
   */
  listStartable(before: EpochMs, limit: number): Promise<BackupRequest[]>;
  /** `pending_approval` requests whose approval expired at or before `now`. */
  listExpired(now: EpochMs, limit: number): Promise<BackupRequest[]>;
  /** `pending_approval` requests due a reminder (remindAt <= now, not yet reminded). */
  listDueReminders(now: EpochMs, limit: number): Promise<BackupRequest[]>;
  listPendingApprovals(teamId: string, limit: number): Promise<BackupRequest[]>;
  /** Newest first. */
  listRequests(query: RequestQuery): Promise<BackupRequest[]>;
  /** Open (not final) requests of the workspace that hold any of the volumes; oldest first. Indexed. */
  listOpenHolding(teamId: string, volumeIds: readonly string[], limit: number): Promise<BackupRequest[]>;
  /** How many requests wait for an approver, in every workspace (read when /metrics is scraped). */
  countPendingApprovals(): Promise<number>;
}

/** The messages not yet delivered nor given up, and when the oldest of them was queued. */
export interface OutboxBacklog {
  readonly open: number;
  readonly oldestCreatedAt: EpochMs | undefined;
}

/** The audit trail: append-only. */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /** Oldest first. */
  list(requestId: RequestId): Promise<AuditEvent[]>;
}

/** The Slack messages the bot owes, claimed one at a time by whoever delivers them. */
export interface OutboxQueue {
  enqueue(requestId: RequestId, messages: readonly NewOutboxMessage[], now: EpochMs): Promise<OutboxMessage[]>;
  /**
   * Claims due messages (nextAttemptAt <= now, not done, not dead, unclaimed or claim expired),
   * at most one per request and only that request's oldest open message, so a request's
   * messages go out in order.
   */
  claimDue(owner: string, now: EpochMs, leaseMs: number, limit: number): Promise<OutboxMessage[]>;
  /** Claims one message if it is due and its request's oldest open message. */
  claim(id: number, owner: string, now: EpochMs, leaseMs: number): Promise<OutboxMessage | undefined>;
  /** Extends a claim while its delivery is under way; false when the claim is no longer this owner's. */
  renewClaim(id: number, owner: string, until: EpochMs): Promise<boolean>;
  /**
   * Gives back a claim whose message was not attempted: the message is claimable at once and the
   * claim is not counted (`claims`). `takenOver`: the claim was itself a takeover (its message's
   * `takenOver`), so the next claim is one too. False when the claim is no longer this owner's.
   */
  releaseClaim(id: number, owner: string, takenOver?: boolean): Promise<boolean>;
  /**
   * Marks a claimed message delivered and, in the same transaction, keeps what its delivery left:
   * the post's ref on the request (as RequestRecords.setMessages), the audit entries, and the edits
   * it covered (`Delivered.covered`). When the claim is no longer this owner's, only the post's ref
   * is kept: the message stays open for its new holder, which audits what it delivers. One commit
   * per message, and a crash cannot keep the completion without its audit entry.
   *
   * With `next`, a completion that held also reads the request's open messages and claims the first
   * one for `next.owner` if it is due, in the same transaction: a flush's next message costs no
   * commit of its own. Undefined without `next` or when the completion did not hold.
   */
  complete(
    id: number,
    owner: string,
    now: EpochMs,
    delivered?: Delivered,
    next?: NextClaim,
  ): Promise<AfterCompletion | undefined>;
  /**
   * Records a failed attempt: retried at `nextAttemptAt`, or given up for good when `nextAttemptAt`
   * is undefined. False, and nothing recorded, when the claim is no longer this owner's.
   */
  fail(id: number, owner: string, error: string, nextAttemptAt: EpochMs | undefined, now: EpochMs): Promise<boolean>;
  /** Open (not done, not given up) messages of a request, oldest first. */
  listOpen(requestId: RequestId): Promise<OutboxMessage[]>;
  /** Open messages of every request (read when /metrics is scraped). */
  backlog(): Promise<OutboxBacklog>;
}

/** Drafts of the request form. */
export interface DraftStore {
  create(draft: RequestDraft): Promise<void>;
  /** The draft, if it exists and has not expired at `now`. */
  get(id: RequestId, now: EpochMs): Promise<RequestDraft | undefined>;
  /** Removes drafts that expired before `now`; returns how many. */
  deleteExpired(now: EpochMs): Promise<number>;
}

/**
 * Keys of signed Slack requests already accepted (`{timestamp}:{signature}`), kept for as long as
 * Slack's signature window lets such a request through, so a replay is refused by every replica.
 */
export interface ReplayMemory {
  /** True for the first caller only (atomic across replicas); a key whose `expiresAt` has passed counts as new. */
  remember(key: string, expiresAt: EpochMs, now: EpochMs): Promise<boolean>;
  /** Removes keys that expired at or before `now`; returns how many. */
  deleteExpired(now: EpochMs): Promise<number>;
}

/**
 * Can the store serve this build? `schema_outdated`: its tables are missing or older than this
 * build's newest migration (e.g. a database recreated empty); `unavailable`: it does not answer.
 */
/** How a run no runner held was claimed: given back by its runner, or taken from one whose lease ran out. */
export type StaleRunClaim = 'handed_over' | 'taken_over';

export type StoreHealth = 'ok' | 'schema_outdated' | 'unavailable';

/**
 * Durable state, split by concern: each flow takes only the parts it uses. SQLite and PostgreSQL
 * implement it and pass one conformance suite (test/store/conformance.ts).
 */
export interface RequestStore {
  readonly requests: RequestRecords;
  readonly queries: RequestQueries;
  readonly audit: AuditLog;
  readonly outbox: OutboxQueue;
  readonly drafts: DraftStore;
  readonly replays: ReplayMemory;
  readonly watches: BackupWatches;
  /** Versioned, forward-only migrations; safe to run from two replicas at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Cheap round trip: throws when the store does not answer. */
  ping(): Promise<void>;
  /** Whether the store answers and its schema is the one this build needs; never throws, never says why in SQL. */
  health(): Promise<StoreHealth>;
}
