import { BOT_SCOPES } from '../../slack/scopes';
import { randomBytes } from 'node:crypto';
import { StandInSteps } from './steps';
import type { StandInWorkspace } from './workspace';

/** A trigger_id works for this long after the interaction that carried it, and once. */
export const TRIGGER_TTL_MS = 3000;

/** Why Slack refuses a trigger_id: missing or never issued, already used, or too old. */
export type TriggerRefusal = 'invalid_trigger_id' | 'exchanged_trigger_id' | 'expired_trigger_id';

export interface StandInMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  text: string;
  blocks: unknown[];
  edits: number;
  /** Message metadata as posted (`event_type`, `event_payload`); Slack returns it with include_all_metadata. */
  readonly metadata?: unknown;
}

export interface StandInFile {
  readonly id: string;
  readonly channel: string | undefined;
  readonly threadTs: string | undefined;
  readonly filename: string;
  readonly title: string | undefined;
  content: string | undefined;
}

export interface StandInView {
  readonly id: string;
  hash: string;
  view: Record<string, unknown>;
  readonly userId: string | undefined;
}

/** Everything that happened, in order: what a person in the workspace would have seen. */
export type StandInEvent =
  | { readonly kind: 'posted'; readonly message: StandInMessage; readonly text: string; readonly blocks: unknown[] }
  | {
      readonly kind: 'updated';
      readonly message: StandInMessage;
      readonly text: string;
      readonly blocks: unknown[];
      readonly edit: number;
    }
  | { readonly kind: 'ephemeral'; readonly responseId: string; readonly body: unknown }
  | { readonly kind: 'file'; readonly file: StandInFile }
  | { readonly kind: 'view'; readonly action: 'open' | 'update' | 'push' | 'publish'; readonly view: StandInView };

export type StandInFault =
  | { readonly status: number; readonly retryAfterS?: number }
  | { readonly error: string }
  /** The call is carried out, but its answer is held back this long: a client that times out never learns it worked. */
  | { readonly lateMs: number };

export interface StandInState {
  /** A copy of the workspace the stand-in was started with; tests may change group members. */
  readonly workspace: StandInWorkspace;
  /** The scopes auth.test says the bot token has (its `x-oauth-scopes` header); tests may take some away. */
  grantedScopes: string[];
  setGroupMembers(handle: string, users: readonly string[]): void;
  setChannelMembers(channelId: string, users: readonly string[]): void;
  readonly calls: { method: string; args: Record<string, unknown>; at: number }[];
  readonly messages: StandInMessage[];
  readonly responses: { id: string; at: number; body: unknown }[];
  readonly uploads: Map<string, string>;
  readonly files: StandInFile[];
  readonly views: Map<string, StandInView>;
  readonly log: StandInEvent[];
  /** Runs of workflow steps and their completions (`functions.completeSuccess` / `completeError`). */
  readonly steps: StandInSteps;
  /** Calls the stand-in refused as Slack would (bad blocks or views, trigger ids), with why. */
  readonly refused: { method: string; error: string; problems: readonly string[] }[];
  /** A new trigger_id, issued now by the stand-in's clock, as Slack puts in a slash command or an interaction. */
  issueTrigger(): string;
  /** Uses up a trigger_id for views.open / views.push; says why Slack would refuse it, or undefined if it is good. */
  exchangeTrigger(triggerId: unknown): TriggerRefusal | undefined;
  nextTs(): string;
  nextId(prefix: string): string;
  addFault(method: string, fault: StandInFault, times: number): void;
  takeFault(method: string): StandInFault | undefined;
  /** Messages in a channel (top level) or in one thread, oldest first. */
  channelMessages(channel: string): StandInMessage[];
  thread(channel: string, ts: string): StandInMessage[];
  callsOf(method: string): { method: string; args: Record<string, unknown> }[];
}

export function createState(initial: StandInWorkspace, clock: () => number = Date.now): StandInState {
  let seq = 0;
  const triggers = new Map<string, { issuedAt: number; used: boolean }>();
  const faults = new Map<string, { fault: StandInFault; left: number }[]>();
  let workspace: StandInWorkspace = structuredClone(initial);
  const state: StandInState = {
    grantedScopes: [...BOT_SCOPES],
    get workspace() {
      return workspace;
    },
    setGroupMembers(handle, users) {
      workspace = {
        ...workspace,
        usergroups: workspace.usergroups.map((g) => (g.handle === handle ? { ...g, users: [...users] } : g)),
      };
    },
    setChannelMembers(channelId, users) {
      workspace = {
        ...workspace,
        channels: workspace.channels.map((c) => (c.id === channelId ? { ...c, members: [...users] } : c)),
      };
    },
    calls: [],
    messages: [],
    responses: [],
    uploads: new Map(),
    files: [],
    views: new Map(),
    log: [],
    steps: new StandInSteps(),
    refused: [],
    issueTrigger() {
      const issuedAt = clock();
      const id = `${issuedAt}.${randomBytes(6).readUIntBE(0, 6)}.trigger`;
      triggers.set(id, { issuedAt, used: false });
      return id;
    },
    exchangeTrigger(triggerId) {
      const trigger = typeof triggerId === 'string' ? triggers.get(triggerId) : undefined;
      if (trigger === undefined) return 'invalid_trigger_id';
      if (trigger.used) return 'exchanged_trigger_id';
      if (clock() - trigger.issuedAt > TRIGGER_TTL_MS) return 'expired_trigger_id';
      trigger.used = true;
      return undefined;
    },
    nextTs() {
      // Like Slack's: the time of the post in seconds, unique and increasing by its micro part.
      seq += 1;
      return `${Math.floor(clock() / 1000)}.${String(seq % 1_000_000).padStart(6, '0')}`;
    },
    nextId(prefix) {
      seq += 1;
      return `${prefix}${String(seq).padStart(8, '0')}`;
    },
    addFault(method, fault, times) {
      faults.set(method, [...(faults.get(method) ?? []), { fault, left: times }]);
    },
    takeFault(method) {
      const queue = faults.get(method);
      const head = queue?.[0];
      if (!queue || !head) return undefined;
      head.left -= 1;
      if (head.left <= 0) queue.shift();
      return head.fault;
    },
    channelMessages(channel) {
      return state.messages.filter((m) => m.channel === channel && m.threadTs === undefined);
    },
    thread(channel, ts) {
      return state.messages.filter((m) => m.channel === channel && m.threadTs === ts);
    },
    callsOf(method) {
      return state.calls.filter((c) => c.method === method);
    },
  };
  return state;
}
