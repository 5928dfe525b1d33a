import type { Reply } from './http-util';
import { reply } from './http-util';

/** The VBS codes the sandbox answers with; messages verbatim from the OTC error-code table. */
export const VBS_MESSAGES = {
  'AutoBackup.0000': 'The request is empty.',
  'AutoBackup.0001': 'The object contained in the request is empty.',
  'AutoBackup.0002': 'The token contained in the request header is empty.',
  'AutoBackup.0003': 'The token contained in the request header has expired.',
  'AutoBackup.0006': 'The policy ID contained in the request is empty.',
  'AutoBackup.0008': 'Failed to convert the request into a JSON object.',
  'AutoBackup.0204': 'The number of associated volumes has reached the upper limit.',
  'AutoBackup.0205': 'The policy does not exist.',
  'AutoBackup.0206': 'The status of the disk to be associated is invalid.',
  'AutoBackup.0210': 'HANA disks cannot be associated with the backup policy.',
  'AutoBackup.0207': 'The resource to be associated is empty.',
  'AutoBackup.0209': 'The resource ID or name is empty.',
  'AutoBackup.0211': 'The resource type is invalid.',
  'AutoBackup.1400': 'The resource to be associated is invalid.',
  'AutoBackup.0225': 'The policy is being executed.',
  'AutoBackup.1100': 'The queried policy does not exist.',
  'VolumeBackup.0002': 'The request format is incorrect.',
} as const;
export type VbsCode = keyof typeof VBS_MESSAGES;

/** Whole-call VBS error: `{"error":{"code","message"}}`; `detail` may follow the table's sentence. */
export function vbsError(status: number, code: VbsCode, detail?: string): Reply {
  const message = detail === undefined ? VBS_MESSAGES[code] : `${VBS_MESSAGES[code]} ${detail}`;
  return reply(status, { error: { code, message } });
}
