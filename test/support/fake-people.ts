import type { ChannelAccess, PeopleDirectory, UserFacts } from '../../src/flow/ports';

/** A look-up the fake can be told Slack cannot answer: the directory then says "unknown". */
export type Lookup = 'users' | 'groups' | 'channels' | 'membership';

export type PeopleCall =
  | { readonly method: 'userFacts'; readonly userId: string }
  | { readonly method: 'groupsOf'; readonly userId: string; readonly fresh: boolean }
  | { readonly method: 'channelAccess'; readonly channelId: string }
  | { readonly method: 'isMember'; readonly channelId: string; readonly userId: string };

export const MEMBER: UserFacts = { isGuest: false, isBot: false, deleted: false };

const handle = (h: string) => h.replace(/^@/, '').toLowerCase();

/**
 * Slack's people and channels in memory. A user or channel nobody added is one Slack does not
 * know (undefined facts; a channel the bot is not in). `unknown` makes a whole kind of look-up
 * fail, as when Slack is down, to prove the flows fail closed.
 */
export class FakePeople implements PeopleDirectory {
  readonly users = new Map<string, UserFacts>();
  /** Group handle (without @) -> members. */
  readonly groups = new Map<string, Set<string>>();
  readonly channels = new Map<string, ChannelAccess>();
  /** Channel id -> the people in it. */
  readonly members = new Map<string, Set<string>>();
  readonly unknown = new Set<Lookup>();
  readonly calls: PeopleCall[] = [];

  addUser(userId: string, facts: Partial<UserFacts> = {}): this {
    this.users.set(userId, { ...MEMBER, ...facts });
    return this;
  }

  addToGroup(groupHandle: string, ...userIds: string[]): this {
    const members = this.groups.get(handle(groupHandle)) ?? new Set<string>();
    for (const id of userIds) members.add(id);
    this.groups.set(handle(groupHandle), members);
    return this;
  }

  removeFromGroup(groupHandle: string, userId: string): this {
    this.groups.get(handle(groupHandle))?.delete(userId);
    return this;
  }

  /** Someone leaves a channel (or is removed from it). */
  leaveChannel(channelId: string, userId: string): this {
    this.members.get(channelId)?.delete(userId);
    return this;
  }

  addChannel(channelId: string, access: ChannelAccess, members: readonly string[] = []): this {
    this.channels.set(channelId, access);
    this.members.set(channelId, new Set(members));
    return this;
  }

  userFacts(userId: string): Promise<UserFacts | undefined> {
    this.calls.push({ method: 'userFacts', userId });
    return Promise.resolve(this.unknown.has('users') ? undefined : this.users.get(userId));
  }

  groupsOf(
    userId: string,
    handles: readonly string[],
    options: { fresh?: boolean } = {},
  ): Promise<string[] | undefined> {
    this.calls.push({ method: 'groupsOf', userId, fresh: options.fresh === true });
    if (this.unknown.has('groups')) return Promise.resolve(undefined);
    return Promise.resolve(handles.filter((h) => this.groups.get(handle(h))?.has(userId) === true));
  }

  channelAccess(channelId: string): Promise<ChannelAccess> {
    this.calls.push({ method: 'channelAccess', channelId });
    if (this.unknown.has('channels')) return Promise.resolve({ canPost: false, why: 'unknown' });
    return Promise.resolve(this.channels.get(channelId) ?? { canPost: false, why: 'not_in_channel' });
  }

  isMember(channelId: string, userId: string): Promise<boolean | undefined> {
    this.calls.push({ method: 'isMember', channelId, userId });
    if (this.unknown.has('membership')) return Promise.resolve(undefined);
    return Promise.resolve(this.members.get(channelId)?.has(userId) ?? false);
  }
}
