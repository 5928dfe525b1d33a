/** The people, channels and groups of a stand-in Slack workspace. */
export interface StandInUser {
  readonly id: string;
  readonly name: string;
  readonly isRestricted?: boolean;
  readonly isUltraRestricted?: boolean;
  readonly isBot?: boolean;
  readonly deleted?: boolean;
}

export interface StandInChannel {
  readonly id: string;
  readonly name: string;
  readonly isPrivate?: boolean;
  /** Whether the bot is a member (a private channel without the bot cannot be seen or posted to). */
  readonly botIsMember?: boolean;
  readonly isArchived?: boolean;
  /** Who is in the channel (conversations.members); none when absent. */
  readonly members?: readonly string[];
}

export interface StandInUsergroup {
  readonly id: string;
  readonly handle: string;
  readonly users: readonly string[];
}

export interface StandInWorkspace {
  readonly teamId: string;
  readonly teamName: string;
  readonly botUserId: string;
  readonly botId: string;
  readonly users: readonly StandInUser[];
  readonly channels: readonly StandInChannel[];
  readonly usergroups: readonly StandInUsergroup[];
}

/** A small but realistic workspace: an SRE on call, an approver, a developer, a guest, incident and approval channels. */
export const DEMO_WORKSPACE: StandInWorkspace = {
  teamId: 'T0DEMO0001',
  teamName: 'Example Ops',
  botUserId: 'U0BACKUPBOT',
  botId: 'B0BACKUPBOT',
  users: [
    { id: 'U0ALICE001', name: 'alice' },
    { id: 'U0BOB00001', name: 'bob' },
    { id: 'U0DAVE0001', name: 'dave' },
    { id: 'U0ERIN0001', name: 'erin' },
    { id: 'U0CAROL001', name: 'carol', isRestricted: true },
    { id: 'U0BACKUPBOT', name: 'otc-backup', isBot: true },
  ],
  channels: [
    {
      id: 'C0INC4711',
      name: 'inc-4711-db-latency',
      members: ['U0ALICE001', 'U0BOB00001', 'U0DAVE0001', 'U0ERIN0001', 'U0BACKUPBOT'],
    },
    {
      id: 'C0GENERAL1',
      name: 'general',
      members: ['U0ALICE001', 'U0BOB00001', 'U0DAVE0001', 'U0ERIN0001', 'U0CAROL001', 'U0BACKUPBOT'],
    },
    { id: 'C0APPROVAL', name: 'backup-approvals', members: ['U0BOB00001', 'U0ERIN0001', 'U0BACKUPBOT'] },
    // Public, and the bot never joined: it may post here (chat:write.public) but must join to share a file.
    { id: 'C0INC4712', name: 'inc-4712-storage', members: ['U0ALICE001', 'U0DAVE0001'] },
    { id: 'G0SECRET01', name: 'secret-project', isPrivate: true, botIsMember: false, members: ['U0ALICE001'] },
    { id: 'C0ARCHIVED', name: 'old-incident', isArchived: true, members: ['U0ALICE001', 'U0BOB00001'] },
  ],
  usergroups: [
    { id: 'S0SREONCALL', handle: 'sre-oncall', users: ['U0ALICE001'] },
    { id: 'S0BACKUPADM', handle: 'backup-admins', users: ['U0BOB00001', 'U0ERIN0001'] },
  ],
};
