import type { Reply } from './http-util';
import { reply } from './http-util';

/**
 * The CBR codes the sandbox answers with, and the message the OTC error-code table gives each. A reply
 * may say more (which resource, which vault) than the table's sentence; the code is what a client reads.
 */
export const CBR_MESSAGES = {
  'BackupService.0001': 'No resource is available for backup.',
  'BackupService.6100': 'The maximum number of vault resources has been reached.',
  'BackupService.6102': 'The vault does not support this resource type.',
  'BackupService.6103': 'The resource has been associated with a vault.',
  'BackupService.6104': 'Duplicate vault resources.',
  'BackupService.6117': 'Unknown policy type.',
  'BackupService.6125': 'A backup task is in progress.',
  'BackupService.6135': 'The resource does not exist in the vault.',
  'BackupService.6200': 'The backup does not exist.',
  'BackupService.6217': 'The backup restore point does not exist.',
  'BackupService.7000': 'The disk does not exist.',
  'BackupService.7003': 'Backup is not allowed in the current disk status.',
  'BackupService.9900': 'Parameter verification failed.',
} as const;
export type CbrCode = keyof typeof CBR_MESSAGES;

/** A CBR error: the flat `{"error_code","error_msg"}` body (unlike VBS's `{"error":{code,message}}`). */
export function cbrError(status: number, code: CbrCode, message: string = CBR_MESSAGES[code]): Reply {
  return reply(status, { error_code: code, error_msg: message });
}

/** A request CBR cannot read or that breaks a documented bound: 400 BackupService.9900, saying what. */
export function cbrBadRequest(detail: string): Reply {
  return cbrError(400, 'BackupService.9900', `${CBR_MESSAGES['BackupService.9900']} ${detail}`);
}

/**
 * An unknown vault in the path. 404 with 9900 and this text, as the CBR docs' error example and the
 * "Querying a Specified Vault" status table (404 Not Found) show it; the error-code table also lists
 * 404 BackupService.6105 "The vault does not exist.", which the sandbox does not use.
 */
export function unknownVault(): Reply {
  return cbrError(404, 'BackupService.9900', 'Invalid vault_id provided.');
}
