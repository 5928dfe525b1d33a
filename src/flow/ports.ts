/**
 * The ports: everything the flows need from the world outside, in one place. The Slack layer
 * implements the people directory and the message deliverer, otc/ the cloud, store/ the store;
 * tests and the demo put their own behind the same interfaces.
 */
import type { BackupRequest, MessageRef } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { FinalState } from '../domain/request-state';
import type { BackupBackend, ServerDirectory, VolumeDirectory } from '../otc/types';
import type { OutboxMessage } from '../store/request-store';

export type {
  AuditLog,
  BackupWatches,
  DraftStore,
  OutboxQueue,
  RequestQueries,
  RequestRecords,
  RequestStore,
} from '../store/request-store';
export type { BackupBackend, BackupRuns } from '../otc/types';

// ---- Time and identity

export type { Clock } from '../domain/clock';

export type NewRequestId = () => RequestId;

// ---- Slack: people and channels

export interface UserFacts {
  readonly isGuest: boolean;
  readonly isBot: boolean;
  readonly deleted: boolean;
}

export type ChannelAccess =
  | { readonly canPost: true; readonly name: string | undefined }
  | { readonly canPost: false; readonly why: 'not_in_channel' | 'direct_message' | 'archived' | 'unknown' };

export type CannotPost = Extract<ChannelAccess, { canPost: false }>['why'];

export interface PeopleDirectory {
  /** Undefined when Slack could not tell (then the bot fails closed). */
  userFacts(userId: string): Promise<UserFacts | undefined>;
  /**
   * The subset of `handles` the user belongs to; undefined when Slack could not tell. `fresh`
   * skips the cache: an approval is checked against who is in the group now.
   */
  groupsOf(
    userId: string,
    handles: readonly string[],
    options?: { readonly fresh?: boolean },
  ): Promise<string[] | undefined>;
  channelAccess(channelId: string): Promise<ChannelAccess>;
  /** Whether the user is in the channel; undefined when Slack could not tell. */
  isMember(channelId: string, userId: string): Promise<boolean | undefined>;
}

// ---- Slack: the messages the bot owes

export type DeliveryResult =
  | {
      readonly ok: true;
      readonly root?: MessageRef;
      readonly approval?: MessageRef;
      /**
       * This delivery posted or edited the request's root message, rendered from the request as it
       * was read for it: the message shows every change recorded before that read.
       */
      readonly rendered?: boolean;
    }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly error: string;
      readonly retryAfterMs?: number;
      /** A workflow step's completion that Slack no longer takes (its token is revoked or expired): the thread is told. */
      readonly stepUnreachable?: boolean;
    };

/** A notice that cannot go through the outbox, because what failed is the store the outbox lives in. */
export type DirectNotice = 'outcome_not_recorded';

/** Renders a stored message intent from the current request and sends it. */
export interface MessageDeliverer {
  /**
   * Delivers an owed message exactly once as far as Slack can tell: a message claimed before
   * (`claims` above 1) may have been posted by that claim, so it is looked for before it is posted.
   */
  deliver(message: OutboxMessage, request: BackupRequest): Promise<DeliveryResult>;
  /** Posts a notice in the request's thread now, outside the outbox (best effort, at most once a call). */
  tellNow(request: BackupRequest, notice: DirectNotice): Promise<void>;
}

// ---- The cloud

/** What checking needs to read from the cloud: the live client, or the form's short-lived cache. */
export type CloudReads = Pick<BackupBackend, 'listTargets'> &
  Pick<VolumeDirectory, 'findVolumesByRef' | 'listAllVolumes'> &
  ServerDirectory;

// ---- Operations

/** Work taken over from a holder whose lease ran out: a running request, or a claimed outbox message. */
export type LeaseKind = 'run' | 'outbox_claim';

/** What the flows count for /metrics (metrics/bot-metrics.ts); NO_METRICS where nobody looks. */
export interface FlowMetrics {
  commandAnswered(subcommand: string, outcome: string): void;
  requestClosed(state: FinalState): void;
  leaseTakenOver(kind: LeaseKind): void;
}

export const NO_METRICS: FlowMetrics = Object.freeze({
  commandAnswered: () => undefined,
  requestClosed: () => undefined,
  leaseTakenOver: () => undefined,
});
