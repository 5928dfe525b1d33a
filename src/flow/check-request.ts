import type { ProjectConfig } from '../config/load-config';
import type { Actor, ChannelRef } from '../domain/actor';
import type { AccessDecision } from '../domain/access-rules';
import { checkUnnamedAccount, decideAccess, strictest, WORKSPACE_NOT_ALLOWED } from '../domain/access-rules';
import type { RequestAction, RequestVolume, VolumeMove } from '../domain/backup-request';
import type { AssociateCommand } from '../domain/command-grammar';
import { STATE_LABELS } from '../domain/request-state';
import type { UnusableMode } from '../domain/resolution';
import {
  refText,
  resolvePolicy,
  resolveProject,
  resolveVolumes,
  toRequestVolume,
  UNASSOCIABLE_STATUSES,
} from '../domain/resolution';
import { hasVisibleText } from '../domain/visible-text';
import type { BackupTarget, ProjectRef, Volume } from '../otc/types';
import type { FlowDeps } from './flow-deps';
import type { CannotPost } from './ports';

/** A part of the request form a problem belongs to (the modal shows it on that field). */
export type Field = 'project' | 'channel' | 'policy' | 'server' | 'volumes' | 'reason';
export interface Problem {
  readonly field: Field;
  readonly text: string;
}

/** `cloud` is the live client for a request, the form's copy for a preview. */
export type CheckDeps = Pick<FlowDeps, 'config' | 'cloud' | 'people' | 'queries' | 'clock' | 'workspaces'>;

export interface CheckOptions {
  /** A typed command names each volume on purpose (an unusable one is an error); a form leaves them out. */
  readonly unusableVolumes: UnusableMode;
  /** An undo: the vaults its volumes go back to (CBR), planned from the original request. */
  readonly movesBack?: readonly VolumeMove[] | undefined;
  /** An undo: volume ids the project no longer has are left out with a note (there is nothing to take out). */
  readonly goneVolumes?: 'leave_out';
  /**
   * The channel was named by input (the form's pick, a workflow step's field), not typed in: it only
   * counts, for the rules and as the place of the record, if the person is in it, as they are in a
   * channel they typed a command in (else a rule for `inc-*` channels would allow anyone who names
   * one). The answer when they are not.
   */
  readonly notInChannel?: string;
}

/** Everything checked, nothing recorded: what a preview shows and what a request records. */
export interface CheckedRequest {
  readonly project: ProjectConfig;
  readonly action: RequestAction;
  /** The rule that makes a reason required, when one does (any rule that let a part of it through). */
  readonly reasonRequiredBy?: string | undefined;
  /** The policy (VBS) or vault (CBR) as the cloud described it when checked. */
  readonly target: BackupTarget;
  readonly volumes: readonly RequestVolume[];
  /** CBR volumes in another vault that `--move` moves (associate), or that go back to a vault (undo). */
  readonly moves: readonly VolumeMove[];
  /** `--now`: back the target up right after the volumes are added. */
  readonly backupNow: boolean;
  /** Left out because of their status (picked in a form or attached to the server). */
  readonly excluded: readonly RequestVolume[];
  readonly decision: AccessDecision;
  readonly notes: readonly string[];
  readonly channelName: string | undefined;
}

export type CheckOutcome =
  | { readonly kind: 'invalid'; readonly problems: readonly Problem[] }
  | { readonly kind: 'cannot_post'; readonly why: CannotPost }
  | { readonly kind: 'unknown_user' }
  | { readonly kind: 'denied'; readonly decision: AccessDecision; readonly checked: CheckedRequest | undefined }
  | { readonly kind: 'checked'; readonly checked: CheckedRequest };

/** The people a rule that asks for approval sends the request to: its own approvers, else the global ones. */
function approversKey(config: CheckDeps['config'], decision: AccessDecision): string {
  const approvers =
    config.access.rules.find((r) => r.name === decision.decidedBy)?.approvers ?? config.approvals?.approvers;
  if (approvers === undefined) return '';
  const norm = (xs: readonly string[]) => [...new Set(xs.map((x) => x.replace(/^@/, '').toLowerCase()))].sort();
  return JSON.stringify([norm(approvers.users), norm(approvers.usergroups)]);
}

/**
 * One decision for a request that needs several (a move, --now): the strictest (domain `strictest`).
 * When more than one part needs approval, one approval must satisfy every rule that asked for it,
 * and a request records one set of approvers: parts whose rules name different approvers are
 * refused (asked for one at a time, each gets its own approvers); with the same approvers, the rule
 * with the shortest time to decide is the one recorded.
 */
function combined(
  config: CheckDeps['config'],
  decisions: readonly [AccessDecision, ...AccessDecision[]],
): AccessDecision {
  const decision = strictest(decisions);
  if (decision.verdict !== 'require_approval') return decision;
  const asking = decisions.filter((d) => d.verdict === 'require_approval');
  const rules = [...new Set(asking.map((d) => d.decidedBy))];
  if (rules.length < 2) return decision;
  if (new Set(asking.map((d) => approversKey(config, d))).size > 1)
    return {
      verdict: 'deny',
      decidedBy: decision.decidedBy,
      reason: `parts of this request need approval under rules ${rules.join(' and ')}, which name different approvers, and one request has one set of approvers: ask for the parts one at a time (the move, --now)`,
    };
  const ttl = (d: AccessDecision) =>
    config.access.rules.find((r) => r.name === d.decidedBy)?.ttlMs ?? config.approvals?.ttlMs ?? Infinity;
  return asking.reduce((shortest, d) => (ttl(d) < ttl(shortest) ? d : shortest));
}

/** Other open requests named in a new request's notes, at most. */
const MAX_CONCURRENT_NOTES = 20;

function usergroupHandles(config: CheckDeps['config']): string[] {
  return [...new Set(config.access.rules.flatMap((r) => r.usergroups ?? []).map((h) => h.replace(/^@/, '')))];
}

/** The volumes of `--server`: one server must match; its unusable disks are left out, not errors. */
async function serverVolumes(
  deps: CheckDeps,
  project: ProjectRef,
  ref: string,
): Promise<{ ref: string; volumes: readonly Volume[] } | { problem: Problem }> {
  const servers = await deps.cloud.findServersByRef(project, ref);
  const [server] = servers;
  if (server === undefined)
    return { problem: { field: 'server', text: `No server is named \`${ref}\` in this project.` } };
  if (servers.length > 1) {
    return {
      problem: {
        field: 'server',
        text: `${servers.length} servers are named \`${ref}\`; use the id: ${servers.map((s) => `\`${s.id}\``).join(', ')}.`,
      },
    };
  }
  const volumes = await deps.cloud.listAllVolumes(project, { serverId: server.id });
  if (volumes.length === 0)
    return { problem: { field: 'server', text: `No volume is attached to server \`${ref}\`.` } };
  return { ref, volumes };
}

/** Other open requests adding the same volumes: allowed (adding twice is harmless), but worth saying. */
async function concurrentNotes(deps: CheckDeps, teamId: string, volumes: readonly RequestVolume[]): Promise<string[]> {
  // An indexed look-up of the open requests holding these volumes: its cost does not grow with history.
  const others = await deps.queries.listOpenHolding(
    teamId,
    volumes.map((v) => v.id),
    MAX_CONCURRENT_NOTES,
  );
  const mine = new Set(volumes.map((v) => v.id));
  const notes: string[] = [];
  for (const other of others) {
    const shared = other.volumes.filter((v) => mine.has(v.id)).map((v) => `\`${v.name}\``);
    if (shared.length > 0)
      notes.push(
        `${shared.join(', ')} ${shared.length === 1 ? 'is' : 'are'} also in request \`${other.id}\` (${STATE_LABELS[other.state]}); adding a volume twice is harmless.`,
      );
  }
  return notes;
}

interface Placement {
  readonly volumes: readonly RequestVolume[];
  readonly moves: readonly VolumeMove[];
  /** Volumes left out, and why ("in vault x; add --move"). */
  readonly notes: readonly string[];
  /** Said beside the request, never a reason to refuse it: the vault will not hold them all; --move on VBS. */
  readonly advice: readonly string[];
}

/**
 * What CBR lets the bot know before it calls: which vault holds each volume and how much room the
 * target has. A volume in another vault is left out unless `--move` (or an undo) moves it; taking
 * out a volume that is not in the vault is left out too. VBS can tell none of this.
 */
function placeInVaults(
  cmd: AssociateCommand,
  target: BackupTarget,
  targets: readonly BackupTarget[],
  volumes: readonly RequestVolume[],
  movesBack: readonly VolumeMove[],
): Placement {
  if (target.kind !== 'vault')
    return {
      volumes,
      moves: [],
      notes: [],
      // Said, not refused: on VBS associating is what moves a volume, so --move changes nothing.
      advice: cmd.move
        ? ['--move is for CBR vaults: on VBS, adding a volume moves it from another policy anyway.']
        : [],
    };
  const holder = new Map<string, BackupTarget>();
  for (const t of targets) if (t.kind === 'vault') for (const id of t.volumeIds) holder.set(id.toLowerCase(), t);
  const kept: RequestVolume[] = [];
  const moves: VolumeMove[] = [];
  const notes: string[] = [];
  const back = new Map(movesBack.map((m) => [m.volumeId, m]));
  for (const v of volumes) {
    const now = holder.get(v.id);
    if (cmd.kind === 'disassociate') {
      if (now?.id !== target.id) {
        notes.push(
          `\`${v.name}\` is not in vault \`${target.name}\`${now ? ` (it is in \`${now.name}\`)` : ''}; nothing to take out.`,
        );
        continue;
      }
      const goBack = back.get(v.id);
      if (goBack !== undefined) moves.push(goBack);
      kept.push(v);
      continue;
    }
    if (now !== undefined && now.id !== target.id) {
      if (!cmd.move) {
        notes.push(`\`${v.name}\` is in vault \`${now.name}\`; add --move to move it (its backups move with it).`);
        continue;
      }
      moves.push({ volumeId: v.id, vault: { id: now.id, name: now.name } });
    }
    if (now?.id === target.id) notes.push(`\`${v.name}\` is in vault \`${target.name}\` already.`);
    kept.push(v);
  }
  const advice: string[] = [];
  if (cmd.kind === 'associate' && target.capacityGb !== undefined) {
    const free = target.capacityGb - (target.allocatedGb ?? 0);
    const need = kept.filter((v) => holder.get(v.id)?.id !== target.id).reduce((sum, v) => sum + v.sizeGb, 0);
    if (need > free)
      advice.push(
        `Vault \`${target.name}\` has ${Math.max(0, free)} GB free and these volumes need ${need} GB: CBR will refuse those that do not fit. Expand the vault first, or pick another.`,
      );
  }
  return { volumes: kept, moves, notes, advice };
}

/**
 * Checks a request however it was made (typed or in the form): the workspace, the channel, the
 * person, the project, the policy, the volumes (and a server's), the size limit, the access rules
 * and a required reason. Reads the cloud and the store, writes nothing.
 */
export async function checkRequest(
  deps: CheckDeps,
  actor: Actor,
  channel: ChannelRef,
  cmd: AssociateCommand,
  options: CheckOptions,
): Promise<CheckOutcome> {
  // A foreign workspace learns nothing about the cloud: refused before any look-up.
  if (!deps.workspaces.allows(actor.teamId))
    return { kind: 'denied', decision: WORKSPACE_NOT_ALLOWED, checked: undefined };
  const project = resolveProject(cmd.project, deps.config.projects);
  if (!project.ok) return { kind: 'invalid', problems: [{ field: 'project', text: project.error }] };

  // Who asks, and from where, before anything is read from the cloud: a guest or bot no rule
  // names, or a channel the bot cannot post in, learns nothing about the project.
  const [access, user] = await Promise.all([
    deps.people.channelAccess(channel.id),
    deps.people.userFacts(actor.userId),
  ]);
  if (!access.canPost) return { kind: 'cannot_post', why: access.why };
  if (user === undefined || user.deleted) return { kind: 'unknown_user' };
  const unnamed = checkUnnamedAccount(deps.config.access, {
    id: actor.userId,
    isGuest: user.isGuest,
    isBot: user.isBot,
  });
  if (unnamed !== undefined) return { kind: 'denied', decision: unnamed, checked: undefined };
  if (options.notInChannel !== undefined) {
    const member = await deps.people.isMember(channel.id, actor.userId);
    if (member !== true) {
      const text =
        member === false
          ? options.notInChannel
          : 'Slack could not tell me whether you are in that channel. Please try again.';
      return { kind: 'invalid', problems: [{ field: 'channel', text }] };
    }
  }

  const [targets, found, fromServer] = await Promise.all([
    deps.cloud.listTargets(project.value),
    deps.cloud.findVolumesByRef(project.value, cmd.volumes.map(refText)),
    cmd.server === undefined ? undefined : serverVolumes(deps, project.value, cmd.server),
  ]);

  const problems: Problem[] = [];
  const targetKind = project.value.service === 'cbr' ? 'vault' : 'policy';
  const policy = resolvePolicy(cmd.policy, targets, targetKind);
  const unusable = cmd.kind === 'disassociate' ? 'accept' : options.unusableVolumes;
  const named = resolveVolumes(cmd.volumes, found, unusable, options.goneVolumes ?? 'refuse');
  if (!policy.ok) problems.push({ field: 'policy', text: policy.error });
  if (!named.ok) problems.push(...named.error.map((text) => ({ field: 'volumes' as const, text })));
  if (fromServer !== undefined && 'problem' in fromServer) problems.push(fromServer.problem);
  if (!policy.ok || !named.ok || problems.length > 0) return { kind: 'invalid', problems };

  let volumes = [...named.value.volumes];
  const excluded = [...named.value.excluded];
  const goneNotes = named.value.gone.map(
    (id) => `\`${id}\` no longer exists in this project (deleted since): nothing to take out.`,
  );
  const notes = [...cmd.notes, ...named.value.notes, ...goneNotes];
  if (fromServer !== undefined && 'volumes' in fromServer) {
    const before = volumes.length;
    for (const v of fromServer.volumes.map(toRequestVolume)) {
      if (volumes.some((x) => x.id === v.id) || excluded.some((x) => x.id === v.id)) continue;
      (unusable !== 'accept' && UNASSOCIABLE_STATUSES.has(v.status) ? excluded : volumes).push(v);
    }
    notes.push(
      `Server \`${fromServer.ref}\` added ${volumes.length - before} volume(s): ${fromServer.volumes.map((v) => `\`${v.name}\``).join(', ')}.`,
    );
  }
  const target = policy.value;
  const placed = placeInVaults(cmd, target, targets, volumes, options.movesBack ?? []);
  volumes = [...placed.volumes];
  notes.push(...placed.notes);
  if (volumes.length === 0)
    return {
      kind: 'invalid',
      problems:
        placed.notes.length + goneNotes.length > 0
          ? [...goneNotes, ...placed.notes].map((text) => ({ field: 'volumes' as const, text }))
          : [{ field: 'volumes', text: 'None of these volumes can be added to a backup policy (see their status).' }],
    };
  const max = deps.config.limits.maxVolumesPerRequest;
  if (volumes.length > max) {
    return {
      kind: 'invalid',
      problems: [
        {
          field: 'volumes',
          text: `That is ${volumes.length} volumes; one request may hold at most ${max}. Split it into several requests.`,
        },
      ],
    };
  }

  const handles = usergroupHandles(deps.config);
  const groups = handles.length === 0 ? [] : await deps.people.groupsOf(actor.userId, handles);
  const channelName = access.name ?? channel.name;
  const facts = {
    teamId: actor.teamId,
    user: { id: actor.userId, isGuest: user.isGuest, isBot: user.isBot },
    usergroups: groups,
    channel: { id: channel.id, name: channelName },
    project: project.value.name,
    volumeCount: volumes.length,
  };
  // A move takes a volume out of one vault and into another: both must be allowed.
  const otherAction: RequestAction = cmd.kind === 'associate' ? 'disassociate' : 'associate';
  const otherVaults = [...new Map(placed.moves.map((m) => [m.vault.id, m.vault])).values()];
  const decisions: [AccessDecision, ...AccessDecision[]] = [
    decideAccess(deps.config.access, {
      ...facts,
      action: cmd.kind,
      policy: { kind: target.kind, id: target.id, name: target.name },
    }),
    // Backing up now is an action of its own: a rule must allow it (`actions: [associate, backup_now]`).
    ...(cmd.kind === 'associate' && cmd.backupNow
      ? [
          decideAccess(deps.config.access, {
            ...facts,
            action: 'backup_now',
            policy: { kind: target.kind, id: target.id, name: target.name },
          }),
        ]
      : []),
    ...otherVaults.map((vault) =>
      decideAccess(deps.config.access, {
        ...facts,
        action: otherAction,
        policy: { kind: 'vault', id: vault.id, name: vault.name },
      }),
    ),
  ];
  const decision = combined(deps.config, decisions);
  // Every rule that lets a part of the request through may ask for a reason, not only the deciding one.
  const reasonRule =
    decision.verdict === 'deny'
      ? undefined
      : decisions
          .map((d) => deps.config.access.rules.find((r) => r.name === d.decidedBy))
          .find((r) => r?.requireReason === true);
  // A zero-width space or a bidi override is not a reason: the approver would see nothing.
  if (reasonRule !== undefined && !hasVisibleText(cmd.reason)) {
    return {
      kind: 'invalid',
      problems: [
        {
          field: 'reason',
          text: `Rule \`${reasonRule.name}\` needs a reason: add --reason "…" (for example the incident number).`,
        },
      ],
    };
  }
  notes.push(...placed.advice, ...(await concurrentNotes(deps, actor.teamId, volumes)));
  const checked: CheckedRequest = {
    project: project.value,
    action: cmd.kind,
    target,
    volumes,
    moves: placed.moves,
    backupNow: cmd.kind === 'associate' && cmd.backupNow,
    excluded,
    decision,
    reasonRequiredBy: reasonRule?.name,
    notes,
    channelName,
  };
  return decision.verdict === 'deny' ? { kind: 'denied', decision, checked } : { kind: 'checked', checked };
}
