import type { PolicyId, VolumeId } from '../domain/ids';
import { sendAllOrNothing } from './all-or-nothing';
import type { AllOrNothingCall } from './all-or-nothing';
import { dedupeVolumeIds, resolveChunking, runChunked } from './associate';
import type { ChunkDefaults, ChunkedRunOptions, ChunkSender } from './associate';
import type { CbrApi } from './cbr';
import { isVolumeVault, resourceIdsOf, toBackupVault } from './cbr-schemas';
import { OtcError, OtcHttpError, OtcNetworkError, OtcResponseShapeError } from './errors';
import { CBR_MAX_RESOURCES_PER_CALL } from './types';
import type { AddedVolume, AssociateOptions, AssociationResult, BackupBackend, ProjectRef } from './types';

/** One change of a vault's volumes, as add, remove and migrate differ. */
interface VaultChange {
  /** The vault whose volumes tell whether a volume needs the call: the target (add, move) or the source (remove). */
  readonly vaultId: PolicyId;
  /** The volume is where the change would leave it, as far as that vault's resources (lower-cased ids) say. */
  readonly isSettled: (resourceIds: ReadonlySet<string>, volumeId: VolumeId) => boolean;
  readonly call: AllOrNothingCall;
  /** How a volume the change settled is reported; `already` when nothing was sent for it. */
  readonly report: (volumeId: VolumeId, already: boolean) => AddedVolume;
}

/**
 * The backup backend of a CBR project: vaults of EVS disks, each with its bound policy. Every change
 * reads the vault first and sends only the volumes not already where they should be, so a resumed
 * run (after a crash or a lost lease) sends nothing twice; the rest go in chunks of at most 256
 * (CBR's limit per call), each settled volume by volume though the calls are all-or-nothing.
 */
export function createCbrBackend(cbr: CbrApi, defaults: ChunkDefaults): BackupBackend {
  const change = (
    project: ProjectRef,
    volumeIds: readonly VolumeId[],
    options: AssociateOptions | undefined,
    what: VaultChange,
  ): Promise<AssociationResult> =>
    changeVault(cbr, project, what, volumeIds, resolveChunking(defaults, options, CBR_MAX_RESOURCES_PER_CALL));

  return {
    async listTargets(project) {
      const [vaults, policies] = await Promise.all([cbr.listVaults(project), cbr.listBackupPolicies(project)]);
      return vaults
        .filter(isVolumeVault)
        .map((vault) => ({ kind: 'vault' as const, ...toBackupVault(vault, policies) }));
    },

    associate: (project, vaultId, volumeIds, options) =>
      change(project, volumeIds, options, {
        vaultId,
        isSettled: (resources, volumeId) => resources.has(volumeId.toLowerCase()),
        call: (ids, signal) => cbr.addVolumes(project, vaultId, ids, signal),
        report: (volumeId, already) => settled(volumeId, already ? { already } : {}),
      }),

    disassociate: (project, vaultId, volumeIds, options) =>
      change(project, volumeIds, options, {
        vaultId,
        isSettled: (resources, volumeId) => !resources.has(volumeId.toLowerCase()),
        call: (ids, signal) => cbr.removeVolumes(project, vaultId, ids, signal),
        report: (volumeId, already) => settled(volumeId, already ? { already } : {}),
      }),

    move: (project, fromId, toId, volumeIds, options) =>
      change(project, volumeIds, options, {
        vaultId: toId,
        isSettled: (resources, volumeId) => resources.has(volumeId.toLowerCase()),
        call: (ids, signal) => cbr.migrateVolumes(project, fromId, toId, ids, signal),
        report: (volumeId, already) => settled(volumeId, already ? { already } : { movedFrom: fromId }),
      }),
  };
}

/** A volume the change left where it should be; CBR names no AZ or pod. */
function settled(volumeId: VolumeId, extra: Pick<AddedVolume, 'already' | 'movedFrom'>): AddedVolume {
  return { volumeId, availabilityZone: undefined, pod: undefined, ...extra };
}

/**
 * Reads the vault, reports the volumes already settled without sending them, and sends the rest in
 * chunks, each settled volume by volume (all-or-nothing.ts). Results keep the order asked for.
 */
async function changeVault(
  cbr: CbrApi,
  project: ProjectRef,
  what: VaultChange,
  volumeIds: readonly VolumeId[],
  run: ChunkedRunOptions,
): Promise<AssociationResult> {
  const unique = dedupeVolumeIds(volumeIds);
  const sendChunk: ChunkSender = async (chunk, signal) => {
    const outcome = await sendAllOrNothing(chunk, confirmingResends(cbr, project, what), signal);
    return {
      added: outcome.done.map((volumeId) => what.report(volumeId, false)),
      failed: outcome.failed,
      attempts: outcome.attempts,
      error: outcome.error,
    };
  };
  // Nothing to change, or cancelled before anything was read: runChunked says "not sent" for each.
  if (unique.length === 0 || run.signal?.aborted) return runChunked(unique, run, sendChunk);

  let resources: ReadonlySet<string>;
  try {
    resources = resourceIdsOf(await cbr.getVault(project, what.vaultId, run.signal));
  } catch (e) {
    if (!(e instanceof OtcError)) throw e;
    // The vault could not be read (gone, invalid, no answer): nothing was sent. Its volumes fail
    // with the read's error as one chunk, so the audit has the call and its request id too.
    return runChunked(unique, { ...run, chunkSize: unique.length, onSending: undefined }, () => Promise.reject(e));
  }
  const already = new Set(unique.filter((id) => what.isSettled(resources, id)));
  const result = await runChunked(
    unique.filter((id) => !already.has(id)),
    run,
    sendChunk,
  );
  const added = new Map<VolumeId, AddedVolume>([...already].map((id) => [id, what.report(id, true)]));
  for (const a of result.added) added.set(a.volumeId, a);
  return { added: unique.flatMap((id) => added.get(id) ?? []), failed: result.failed, chunks: result.chunks };
}

/**
 * Whether a call that failed may have been done all the same: its answer was lost (no answer, a
 * 5xx from a gateway, a body that could not be read), or a resend was refused with a 4xx after an
 * earlier send that may have been taken (the volumes are where that send put them). A first send
 * refused with a 4xx is the cloud's answer as it stands.
 */
function mayHaveBeenDone(e: unknown): e is OtcError {
  if (e instanceof OtcNetworkError || e instanceof OtcResponseShapeError) return true;
  if (!(e instanceof OtcHttpError)) return false;
  return e.status >= 500 || (e.attempts > 1 && e.status >= 400);
}

/**
 * A call that failed but may have been done (`mayHaveBeenDone`) would read as a failure of volumes
 * that were in fact changed, and the record would disown them (an Undo would leave them out). As
 * the call is all-or-nothing, it was done exactly when every one of its volumes is settled now:
 * the vault is read once to tell.
 */
function confirmingResends(cbr: CbrApi, project: ProjectRef, what: VaultChange): AllOrNothingCall {
  return async (volumeIds, signal) => {
    try {
      return await what.call(volumeIds, signal);
    } catch (e) {
      if (!mayHaveBeenDone(e)) throw e;
      const resources = await cbr.getVault(project, what.vaultId, signal).then(resourceIdsOf, (readError: unknown) => {
        if (readError instanceof OtcError) return undefined;
        throw readError;
      });
      if (resources !== undefined && volumeIds.every((id) => what.isSettled(resources, id))) return e.attempts;
      throw e;
    }
  };
}
