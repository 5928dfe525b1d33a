import type { ProjectConfig } from '../config/load-config';
import type { Actor, ChannelRef } from '../domain/actor';
import type { AccessDecision } from '../domain/access-rules';
import { checkUnnamedAccount, decideAccess, WORKSPACE_NOT_ALLOWED } from '../domain/access-rules';
import type { RequestVolume } from '../domain/backup-request';
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
}

/** Everything checked, nothing recorded: what a preview shows and what a request records. */
export interface CheckedRequest {
  readonly project: ProjectConfig;
  readonly policy: BackupTarget;
  readonly volumes: readonly RequestVolume[];
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

  const [policies, found, fromServer] = await Promise.all([
    deps.cloud.listTargets(project.value),
    deps.cloud.findVolumesByRef(project.value, cmd.volumes.map(refText)),
    cmd.server === undefined ? undefined : serverVolumes(deps, project.value, cmd.server),
  ]);

  const problems: Problem[] = [];
  const policy = resolvePolicy(cmd.policy, policies);
  if (!policy.ok) problems.push({ field: 'policy', text: policy.error });
  const named = resolveVolumes(cmd.volumes, found, options.unusableVolumes);
  if (!named.ok) problems.push(...named.error.map((text) => ({ field: 'volumes' as const, text })));
  if (fromServer !== undefined && 'problem' in fromServer) problems.push(fromServer.problem);
  if (!policy.ok || !named.ok || problems.length > 0) return { kind: 'invalid', problems };

  const volumes = [...named.value.volumes];
  const excluded = [...named.value.excluded];
  const notes = [...cmd.notes, ...named.value.notes];
  if (fromServer !== undefined && 'volumes' in fromServer) {
    const before = volumes.length;
    for (const v of fromServer.volumes.map(toRequestVolume)) {
      if (volumes.some((x) => x.id === v.id) || excluded.some((x) => x.id === v.id)) continue;
      (UNASSOCIABLE_STATUSES.has(v.status) ? excluded : volumes).push(v);
    }
    notes.push(
      `Server \`${fromServer.ref}\` added ${volumes.length - before} volume(s): ${fromServer.volumes.map((v) => `\`${v.name}\``).join(', ')}.`,
    );
  }
  if (volumes.length === 0)
    return {
      kind: 'invalid',
      problems: [
        { field: 'volumes', text: 'None of these volumes can be added to a backup policy (see their status).' },
      ],
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
  const decision = decideAccess(deps.config.access, {
    teamId: actor.teamId,
    user: { id: actor.userId, isGuest: user.isGuest, isBot: user.isBot },
    usergroups: groups,
    channel: { id: channel.id, name: channelName },
    policy: { id: policy.value.id, name: policy.value.name },
    project: project.value.name,
    volumeCount: volumes.length,
  });
  const rule = deps.config.access.rules.find((r) => r.name === decision.decidedBy);
  // A zero-width space or a bidi override is not a reason: the approver would see nothing.
  if (decision.verdict !== 'deny' && rule?.requireReason === true && !hasVisibleText(cmd.reason)) {
    return {
      kind: 'invalid',
      problems: [
        {
          field: 'reason',
          text: `Rule \`${rule.name}\` needs a reason: add --reason "…" (for example the incident number).`,
        },
      ],
    };
  }
  notes.push(...(await concurrentNotes(deps, actor.teamId, volumes)));
  const checked: CheckedRequest = {
    project: project.value,
    policy: policy.value,
    volumes,
    excluded,
    decision,
    notes,
    channelName,
  };
  return decision.verdict === 'deny' ? { kind: 'denied', decision, checked } : { kind: 'checked', checked };
}
