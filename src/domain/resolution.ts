import type { PolicyRef, VolumeRef } from './command-grammar';
import { editDistance } from './command-grammar';
import type { RequestVolume } from './backup-request';
import type { Result } from './result';
import { err, ok } from './result';

/** What the domain needs to know of a cloud volume (the EVS client's Volume fits). */
export interface VolumeFacts {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly availabilityZone: string;
  readonly sizeGb: number;
  readonly attachments: readonly { readonly serverId: string }[];
}

export interface PolicyFacts {
  readonly id: string;
  readonly name: string;
}

/** EVS statuses from which VBS refuses to associate a disk (AutoBackup.0206): said before calling. */
export const UNASSOCIABLE_STATUSES: ReadonlySet<string> = new Set([
  'error',
  'error_extending',
  'error_restoring',
  'error_rollbacking',
  'error_deleting',
  'awaiting-transfer',
]);

export function refText(ref: VolumeRef): string {
  return ref.kind === 'id' ? ref.id : ref.name;
}

/** Picks a project by name, or the default one. */
export function resolveProject<P extends { readonly name: string; readonly isDefault: boolean }>(
  name: string | undefined,
  projects: readonly P[],
): Result<P, string> {
  const found = name === undefined ? projects.find((p) => p.isDefault) : projects.find((p) => p.name === name);
  if (found) return ok(found);
  return err(
    `There is no project \`${name ?? '(default)'}\`. Projects: ${projects.map((p) => `\`${p.name}\``).join(', ')}.`,
  );
}

/** What a project's targets are called: VBS policies or CBR vaults. */
const TARGET_NOUNS = {
  policy: { one: 'backup policy', many: 'backup policies', title: 'Policies' },
  vault: { one: 'vault', many: 'vaults', title: 'Vaults' },
} as const;

export function resolvePolicy<P extends PolicyFacts>(
  ref: PolicyRef,
  policies: readonly P[],
  kind: 'policy' | 'vault' = 'policy',
): Result<P, string> {
  const noun = TARGET_NOUNS[kind];
  if (ref.kind === 'id') {
    const byId = policies.find((p) => p.id.toLowerCase() === ref.id);
    return byId ? ok(byId) : err(`There is no ${noun.one} with id \`${ref.id}\` in this project.`);
  }
  const matches = policies.filter((p) => p.name === ref.name);
  const [only] = matches;
  if (only !== undefined && matches.length === 1) return ok(only);
  if (matches.length > 1) {
    return err(
      `${matches.length} ${noun.many} are named \`${ref.name}\`; use the id: ${matches.map((p) => `\`${p.id}\``).join(', ')}.`,
    );
  }
  const close = policies
    .filter(
      (p) =>
        p.name.toLowerCase() === ref.name.toLowerCase() ||
        editDistance(p.name.toLowerCase(), ref.name.toLowerCase()) <= 2,
    )
    .map((p) => `\`${p.name}\``);
  const hint = close.length > 0 ? ` Did you mean ${close.join(' or ')}?` : '';
  const known =
    policies.length === 0
      ? ` This project has no ${noun.many}.`
      : ` ${noun.title}: ${policies
          .slice(0, 10)
          .map((p) => `\`${p.name}\``)
          .join(', ')}${policies.length > 10 ? ', …' : ''}.`;
  return err(`There is no ${noun.one} named \`${ref.name}\`.${hint}${known}`);
}

export interface ResolvedVolumes {
  readonly volumes: readonly RequestVolume[];
  /** Volumes that cannot be added (status), left out: only in `exclude` mode. */
  readonly excluded: readonly RequestVolume[];
  /** Not errors: e.g. a volume named by both its name and its id. */
  readonly notes: readonly string[];
  /** Ids the project no longer has, left out: only when gone ids are left out (an undo). */
  readonly gone: readonly string[];
}

/**
 * A disk the cloud would refuse to add: `error` for a volume the user named (they can fix it),
 * `exclude` for one picked in a form or by server, `accept` when taking volumes out (any status).
 */
export type UnusableMode = 'error' | 'exclude' | 'accept';

export function toRequestVolume(v: VolumeFacts): RequestVolume {
  return {
    id: v.id.toLowerCase() as RequestVolume['id'],
    name: v.name,
    status: v.status,
    availabilityZone: v.availabilityZone,
    sizeGb: v.sizeGb,
    serverId: v.attachments[0]?.serverId,
  };
}

export function unusableReason(v: Pick<VolumeFacts, 'name' | 'id' | 'status'>): string {
  return `\`${v.name}\` (\`${v.id}\`) is in status \`${v.status}\`, and a disk in that status cannot be added to a backup policy.`;
}

function describeChoice(v: VolumeFacts): string {
  return `\`${v.id}\` (${v.availabilityZone}, ${v.sizeGb} GB, ${v.status})`;
}

/**
 * Turns the user's volume references into concrete volumes, given what EVS returned for each
 * reference. Every problem is collected, so one reply lists everything to fix.
 */
export function resolveVolumes(
  refs: readonly VolumeRef[],
  found: ReadonlyMap<string, readonly VolumeFacts[]>,
  mode: UnusableMode = 'error',
  /** An undo: an id the project no longer has (the disk was deleted) is left out with a note, not refused. */
  goneIds: 'refuse' | 'leave_out' = 'refuse',
): Result<ResolvedVolumes, readonly string[]> {
  const problems: string[] = [];
  const notes: string[] = [];
  const volumes: RequestVolume[] = [];
  const excluded: RequestVolume[] = [];
  const gone: string[] = [];
  const seen = new Map<string, string>();
  for (const ref of refs) {
    const text = refText(ref);
    const matches = found.get(text) ?? [];
    if (matches.length === 0 && ref.kind === 'id' && goneIds === 'leave_out') {
      gone.push(text);
      continue;
    }
    if (matches.length === 0) {
      problems.push(
        ref.kind === 'id'
          ? `No volume has the id \`${text}\` in this project.`
          : `No volume is named \`${text}\` in this project.`,
      );
      continue;
    }
    if (matches.length > 1) {
      problems.push(
        `${matches.length} volumes are named \`${text}\`; name one by its id: ${matches.map(describeChoice).join(', ')}.`,
      );
      continue;
    }
    const [v] = matches;
    if (v === undefined) continue;
    if (mode !== 'accept' && UNASSOCIABLE_STATUSES.has(v.status)) {
      if (mode === 'error') problems.push(unusableReason(v));
      else if (!excluded.some((e) => e.id === v.id.toLowerCase())) excluded.push(toRequestVolume(v));
      continue;
    }
    const earlier = seen.get(v.id);
    if (earlier !== undefined) {
      notes.push(`\`${text}\` and \`${earlier}\` are the same volume; counted once.`);
      continue;
    }
    seen.set(v.id, text);
    volumes.push(toRequestVolume(v));
  }
  return problems.length > 0 ? err(problems) : ok({ volumes, excluded, notes, gone });
}
