import type { WebClient } from '@slack/web-api';
import type { ChannelAccess, Clock, PeopleDirectory, UserFacts } from '../flow/ports';
import type { Logger } from '../log/logger';
import { LookupCache } from './lookup-cache';
import { slackErrorName } from './slack-errors';

/** Slack's answers are cached briefly: groups and guest flags change rarely, and look-ups cost rate limit. */
export const DIRECTORY_TTL_MS = 60_000;

/**
 * Who someone is and which groups they are in, from Slack's directory. Every failure answers
 * "unknown" (undefined), which the access rules treat as no match: never allow on error.
 */
export class SlackPeopleDirectory implements PeopleDirectory {
  private readonly users: LookupCache<UserFacts>;
  private readonly groupIds: LookupCache<ReadonlyMap<string, string>>;
  private readonly members: LookupCache<ReadonlySet<string>>;
  private readonly channelMembers: LookupCache<ReadonlySet<string>>;
  private readonly channels: LookupCache<ChannelAccess>;

  constructor(
    private readonly client: WebClient,
    clock: Clock,
    private readonly logger: Logger,
    ttlMs = DIRECTORY_TTL_MS,
  ) {
    this.users = new LookupCache(ttlMs, clock);
    this.groupIds = new LookupCache(ttlMs, clock);
    this.members = new LookupCache(ttlMs, clock);
    this.channelMembers = new LookupCache(ttlMs, clock);
    this.channels = new LookupCache(ttlMs, clock);
  }

  async userFacts(userId: string): Promise<UserFacts | undefined> {
    try {
      return await this.users.get(userId, () => this.lookUpUser(userId), { fresh: false });
    } catch (e) {
      this.logger.warn('users.info failed; treating the user as unknown', { slackError: slackErrorName(e) });
      return undefined;
    }
  }

  private async lookUpUser(userId: string): Promise<UserFacts> {
    const res = await this.client.users.info({ user: userId });
    const user = res.user;
    if (user === undefined) throw new Error('users.info returned no user');
    return {
      isGuest: user.is_restricted === true || user.is_ultra_restricted === true,
      isBot: user.is_bot === true || user.id === 'USLACKBOT',
      deleted: user.deleted === true,
    };
  }

  /** handle -> usergroup id, for every group of the workspace. */
  private groupIdsByHandle(fresh: boolean): Promise<ReadonlyMap<string, string>> {
    return this.groupIds.get(
      'all',
      async () => {
        const res = await this.client.usergroups.list({ include_disabled: false });
        return new Map(
          (res.usergroups ?? []).flatMap((g) => (g.handle && g.id ? [[g.handle.toLowerCase(), g.id] as const] : [])),
        );
      },
      { fresh },
    );
  }

  private membersOf(groupId: string, fresh: boolean): Promise<ReadonlySet<string>> {
    return this.members.get(
      groupId,
      async () => new Set((await this.client.usergroups.users.list({ usergroup: groupId })).users ?? []),
      { fresh },
    );
  }

  async groupsOf(
    userId: string,
    handles: readonly string[],
    options: { readonly fresh?: boolean } = {},
  ): Promise<string[] | undefined> {
    const fresh = options.fresh === true;
    try {
      const ids = await this.groupIdsByHandle(fresh);
      const mine: string[] = [];
      for (const handle of handles) {
        const id = ids.get(handle.replace(/^@/, '').toLowerCase());
        if (id !== undefined && (await this.membersOf(id, fresh)).has(userId)) mine.push(handle);
      }
      return mine;
    } catch (e) {
      this.logger.warn('user group look-up failed; group rules will not match', { slackError: slackErrorName(e) });
      return undefined;
    }
  }

  /** Channel members, paged (conversations.members), cached like the rest. */
  async isMember(channelId: string, userId: string): Promise<boolean | undefined> {
    try {
      const members = await this.channelMembers.get(channelId, () => this.lookUpMembers(channelId), { fresh: false });
      return members.has(userId);
    } catch (e) {
      this.logger.warn('conversations.members failed', { slackError: slackErrorName(e) });
      return undefined;
    }
  }

  private async lookUpMembers(channelId: string): Promise<ReadonlySet<string>> {
    const all = new Set<string>();
    let cursor: string | undefined;
    do {
      const res = await this.client.conversations.members({
        channel: channelId,
        limit: 1000,
        ...(cursor && { cursor }),
      });
      for (const m of res.members ?? []) all.add(m);
      cursor = res.response_metadata?.next_cursor || undefined;
    } while (cursor !== undefined);
    return all;
  }

  /**
   * Whether the bot can post there. Only a yes is kept (a burst of commands in one incident channel
   * asks Slack once): a no is asked again each time, so inviting the bot works at once.
   */
  channelAccess(channelId: string): Promise<ChannelAccess> {
    if (channelId.startsWith('D')) return Promise.resolve({ canPost: false, why: 'direct_message' });
    return this.channels.get(channelId, () => this.lookUpChannel(channelId), {
      fresh: false,
      keep: (access) => access.canPost,
    });
  }

  private async lookUpChannel(channelId: string): Promise<ChannelAccess> {
    try {
      const res = await this.client.conversations.info({ channel: channelId });
      const channel = res.channel;
      if (channel === undefined) return { canPost: false, why: 'unknown' };
      if (channel.is_archived === true) return { canPost: false, why: 'archived' };
      if (channel.is_im === true || channel.is_mpim === true) return { canPost: false, why: 'direct_message' };
      if (channel.is_private === true && channel.is_member !== true) return { canPost: false, why: 'not_in_channel' };
      return { canPost: true, name: channel.name };
    } catch (e) {
      const name = slackErrorName(e);
      if (name === 'channel_not_found' || name === 'not_in_channel') return { canPost: false, why: 'not_in_channel' };
      this.logger.warn('conversations.info failed', { slackError: name });
      return { canPost: false, why: 'unknown' };
    }
  }
}
