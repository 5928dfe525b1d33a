import { mergeVbsAnswers, resolveChunking, runChunked } from './associate';
import type { ChunkDefaults } from './associate';
import type { BackupBackend } from './types';
import type { VbsApi } from './vbs';

/** Why `move` fails every volume on a VBS project. */
export const VBS_MOVE_MESSAGE =
  'VBS cannot move a volume between policies; associating it with the new policy moves it';

/** The backup backend of a VBS project: policies, associated in chunks, each volume reported by VBS itself. */
export function createVbsBackend(vbs: VbsApi, defaults: ChunkDefaults): BackupBackend {
  return {
    listTargets: async (project) => (await vbs.listPolicies(project)).map((p) => ({ kind: 'policy' as const, ...p })),
    associate: (project, policyId, volumeIds, options) =>
      runChunked(
        volumeIds,
        resolveChunking(defaults, options),
        mergeVbsAnswers((chunk, signal) => vbs.associateChunk(project, policyId, chunk, signal)),
      ),
    disassociate: (project, policyId, volumeIds, options) =>
      runChunked(
        volumeIds,
        resolveChunking(defaults, options),
        mergeVbsAnswers((chunk, signal) => vbs.disassociateChunk(project, policyId, chunk, signal)),
      ),
    move: (_project, _fromId, _toId, volumeIds) =>
      Promise.resolve({
        added: [],
        failed: volumeIds.map((volumeId) => ({ volumeId, code: 'NOT_SUPPORTED', message: VBS_MOVE_MESSAGE })),
        chunks: [],
      }),
  };
}
