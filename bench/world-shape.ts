import type { StandInWorkspace } from '../src/demo/slack-stand-in/workspace';

/** What the world process tells the bench at start (GET /info). */
export interface WorldInfo {
  readonly slackApiUrl: string;
  readonly slackUrl: string;
  readonly botToken: string;
  readonly sandboxUrl: string;
  readonly credentials: { readonly username: string; readonly password: string; readonly domainName: string };
  readonly projectId: string;
  readonly volumeIds: readonly string[];
  readonly teamId: string;
  readonly channel: { readonly id: string; readonly name: string };
  readonly users: readonly { readonly id: string; readonly name: string }[];
  readonly latencyMinMs: number;
  readonly latencyMaxMs: number;
}

/** What Slack and the sandbox have seen so far (GET /progress); counts since the world started. */
export interface WorldProgress {
  /** Threaded summaries posted (chat.postMessage tagged `thread.summary`), and when the first and last arrived. */
  readonly summaries: number;
  readonly firstSummaryAt: number;
  readonly lastSummaryAt: number;
  /** chat.update calls (the root message's edits). */
  readonly rootUpdates: number;
  /** When a request's root message or summary was last posted or edited (its last message is one of those). */
  readonly lastMessageAt: number;
  readonly associateCalls: number;
  readonly ephemeralReplies: number;
  /** Calls the stand-in refused as Slack would (bad blocks): should stay 0. */
  readonly refused: number;
  readonly slackCalls: number;
  readonly meanAssociateLatencyMs?: number;
}

/**
 * 211 people, a prime: commands take people and volumes in turn, so the same person sends the same
 * text again only after 211 x (volumes / volumes per command) commands, never within one run (the
 * bot would take it for a double submit and record nothing).
 */
export const WORLD_DEFAULTS = { volumes: 6000, users: 211, latencyMinMs: 300, latencyMaxMs: 500 } as const;

export const BENCH_TEAM_ID = 'T0BENCH001';
export const BENCH_CHANNEL = { id: 'C0BENCH001', name: 'inc-bench-load' } as const;
export const BOT_USER_ID = 'U0BACKUPBOT';

/** A workspace of `users` people, all in @sre-oncall and in the one channel the commands come from. */
export function benchWorkspace(users: number): StandInWorkspace {
  const people = Array.from({ length: users }, (_, i) => ({
    id: `U0BENCH${String(i).padStart(4, '0')}`,
    name: `operator-${i}`,
  }));
  const ids = people.map((p) => p.id);
  return {
    teamId: BENCH_TEAM_ID,
    teamName: 'Bench Ops',
    botUserId: BOT_USER_ID,
    botId: 'B0BACKUPBOT',
    users: [...people, { id: BOT_USER_ID, name: 'otc-backup', isBot: true }],
    channels: [{ id: BENCH_CHANNEL.id, name: BENCH_CHANNEL.name, members: [...ids, BOT_USER_ID] }],
    usergroups: [{ id: 'S0SREONCALL', handle: 'sre-oncall', users: ids }],
  };
}
