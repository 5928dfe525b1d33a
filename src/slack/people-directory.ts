import type { WebClient } from '@slack/web-api';
import type { ChannelAccess, Clock, PeopleDirectory, UserFacts } from '../flow/ports';
import type { Logger } from '../log/logger';
import { slackErrorName } from './slack-errors';

/** Slack's answers are cached briefly: groups and guest flags change rarely, and look-ups cost rate limit. */
export const DIRECTORY_TTL_MS = 60_000;

class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}
  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined || hit.until <= this.clock.now()) return undefined;
    return hit.value;
  }
  set(key: string, value: V): void {
    this.entries.set(key, { value, until: this.clock.now() + this.ttlMs });
  }
}

/**
 * Who someone is and which groups they are in, from Slack's directory. Every failure answers
 * "unknown" (undefined), which the access rules treat as no match: never allow on error.
 */
export class SlackPeopleDirectory implements PeopleDirectory {
  private readonly users: TtlCache<UserFacts>;
  private readonly groupIds: TtlCache<ReadonlyMap<string, string>>;
  private readonly members: TtlCache<ReadonlySet<string>>;
  private readonly channelMembers: TtlCache<ReadonlySet<string>>;

  constructor(
    private readonly client: WebClient,
    clock: Clock,
    private readonly logger: Logger,
    ttlMs = DIRECTORY_TTL_MS,
  ) {
    this.users = new TtlCache(ttlMs, clock);
    this.groupIds = new TtlCache(ttlMs, clock);
    this.members = new TtlCache(ttlMs, clock);
    this.channelMembers = new TtlCache(ttlMs, clock);
  }

  async userFacts(userId: string): Promise<UserFacts | undefined> {
    const cached = this.users.get(userId);
    if (cached) return cached;
    try {
      const res = await this.client.users.info({ user: userId });
      const user = res.user;
      if (user === undefined) return undefined;
      const facts: UserFacts = {
        isGuest: user.is_restricted === true || user.is_ultra_restricted === true,
        isBot: user.is_bot === true || user.id === 'USLACKBOT',
        deleted: user.deleted === true,
      };
      this.users.set(userId, facts);
      return facts;
    } catch (e) {
      this.logger.warn('users.info failed; treating the user as unknown', { error: slackErrorName(e) });
      return undefined;
    }
  }

  /** handle -> usergroup id, for every group of the workspace. */
  private async groupIdsByHandle(fresh: boolean): Promise<ReadonlyMap<string, string>> {
    const cached = fresh ? undefined : this.groupIds.get('all');
    if (cached) return cached;
    const res = await this.client.usergroups.list({ include_disabled: false });
    const map = new Map(
      (res.usergroups ?? []).flatMap((g) => (g.handle && g.id ? [[g.handle.toLowerCase(), g.id] as const] : [])),
    );
    this.groupIds.set('all', map);
    return map;
  }

  private async membersOf(groupId: string, fresh: boolean): Promise<ReadonlySet<string>> {
    const cached = fresh ? undefined : this.members.get(groupId);
    if (cached) return cached;
    const res = await this.client.usergroups.users.list({ usergroup: groupId });
    const set = new Set(res.users ?? []);
    this.members.set(groupId, set);
    return set;
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
      this.logger.warn('user group look-up failed; group rules will not match', { error: slackErrorName(e) });
      return undefined;
    }
  }

  /** Channel members, paged (conversations.members), cached like the rest. */
  async isMember(channelId: string, userId: string): Promise<boolean | undefined> {
    try {
      let members = this.channelMembers.get(channelId);
      if (members === undefined) {
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
        members = all;
        this.channelMembers.set(channelId, members);
      }
      return members.has(userId);
    } catch (e) {
      this.logger.warn('conversations.members failed', { error: slackErrorName(e) });
      return undefined;
    }
  }

  async channelAccess(channelId: string): Promise<ChannelAccess> {
    if (channelId.startsWith('D')) return { canPost: false, why: 'direct_message' };
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
      this.logger.warn('conversations.info failed', { error: name });
      return { canPost: false, why: 'unknown' };
    }
  }
}
