import type { EpochMs } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';

/** What the flow needs to know about people and channels; the Slack layer implements it. */
export interface UserFacts {
  readonly isGuest: boolean;
  readonly isBot: boolean;
  readonly deleted: boolean;
}

export type ChannelAccess =
  | { readonly canPost: true; readonly name: string | undefined }
  | { readonly canPost: false; readonly why: 'not_in_channel' | 'direct_message' | 'archived' | 'unknown' };

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

export interface Clock {
  now(): EpochMs;
}

export type NewRequestId = () => RequestId;
