import { checkUnnamedAccount } from '../domain/access-rules';
import type { Actor } from '../domain/actor';
import type { VolumeRef } from '../domain/command-grammar';
import { refText, resolveProject } from '../domain/resolution';
import type { BackupTarget, Volume, VolumeBackup } from '../otc/types';
import { admitRequest, refusalOf } from './admission';
import type { FlowDeps } from './flow-deps';
import type { RateLimit } from './request-limiter';

/** Where a volume is, as far as the cloud can tell: in a vault (CBR), in none, or unknown (VBS cannot list). */
export type Placement =
  | { readonly kind: 'vault'; readonly vault: Extract<BackupTarget, { kind: 'vault' }> }
  | { readonly kind: 'no_vault' }
  | { readonly kind: 'vbs_unknown' };

export type VolumeStatusOutcome =
  | { readonly ok: false; readonly why: 'rate_limited'; readonly rate: RateLimit }
  | { readonly ok: false; readonly why: 'not_allowed' }
  | { readonly ok: false; readonly why: 'problem'; readonly text: string }
  | {
      readonly ok: true;
      readonly project: string;
      readonly volume: Volume;
      readonly placement: Placement;
      /** Undefined: none yet; 'unreadable': the cloud could not say. */
      readonly lastBackup: VolumeBackup | undefined | 'unreadable';
    };

/**
 * `/backup status <volume>`: which policy or vault holds the volume, as far as the cloud can tell
 * (CBR lists a vault's volumes; VBS cannot), and its newest backup. Reads only; a guest or bot that
 * no rule names learns nothing about the project, as for a request.
 */
export async function volumeStatus(
  deps: Pick<FlowDeps, 'config' | 'cloud' | 'runs' | 'people' | 'workspaces' | 'limiter' | 'logger'>,
  actor: Actor,
  query: { readonly volume: VolumeRef; readonly project: string | undefined },
): Promise<VolumeStatusOutcome> {
  const admission = admitRequest(deps, actor);
  if (!admission.admitted) return refusalOf(admission, 'not_allowed');
  const user = await deps.people.userFacts(actor.userId);
  if (user === undefined || user.deleted) return { ok: false, why: 'not_allowed' };
  if (checkUnnamedAccount(deps.config.access, { id: actor.userId, isGuest: user.isGuest, isBot: user.isBot }))
    return { ok: false, why: 'not_allowed' };
  const project = resolveProject(query.project, deps.config.projects);
  if (!project.ok) return { ok: false, why: 'problem', text: project.error };
  const ref = refText(query.volume);
  const found = (await deps.cloud.findVolumesByRef(project.value, [ref])).get(ref) ?? [];
  const [volume] = found;
  if (volume === undefined)
    return {
      ok: false,
      why: 'problem',
      text:
        `No volume ${query.volume.kind === 'id' ? 'has the id' : 'is named'} \`${ref}\` in project \`${project.value.name}\`. ` +
        '(`/backup status` takes a request id like `r-7kq2m9xa`, or a volume name or id.)',
    };
  if (found.length > 1)
    return {
      ok: false,
      why: 'problem',
      text: `${found.length} volumes are named \`${ref}\`; give the id: ${found.map((v) => `\`${v.id}\``).join(', ')}.`,
    };
  const [placement, lastBackup] = await Promise.all([
    placementOf(deps, project.value, volume),
    deps.runs.lastBackup(project.value, volume.id).catch((e: unknown) => {
      deps.logger.warn('could not read the last backup of a volume', { volume: volume.id, error: e });
      return 'unreadable' as const;
    }),
  ]);
  return { ok: true, project: project.value.name, volume, placement, lastBackup };
}

async function placementOf(
  deps: Pick<FlowDeps, 'cloud'>,
  project: Parameters<FlowDeps['cloud']['listTargets']>[0],
  volume: Volume,
): Promise<Placement> {
  if (project.service !== 'cbr') return { kind: 'vbs_unknown' };
  const vault = (await deps.cloud.listTargets(project)).find(
    (t): t is Extract<BackupTarget, { kind: 'vault' }> => t.kind === 'vault' && t.volumeIds.includes(volume.id),
  );
  return vault === undefined ? { kind: 'no_vault' } : { kind: 'vault', vault };
}
