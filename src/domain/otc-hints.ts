/** One line a person can act on, for the failure codes people actually meet (DESIGN §4). */
const HINTS: Readonly<Record<string, string>> = {
  'AutoBackup.0205':
    'The policy no longer exists (deleted, or in another project). Pick a current policy and ask again.',
  'AutoBackup.1100':
    'The policy no longer exists (deleted, or in another project). Pick a current policy and ask again.',
  'AutoBackup.0206':
    'The disk is in an error or transfer state. Repair it or wait until it is available or in-use, then ask again.',
  'AutoBackup.1400':
    'The cloud does not know this volume in this project: it was deleted, or it lives in another project or region.',
  'AutoBackup.0204':
    'The policy holds as many volumes as it may. Use another policy, or remove volumes from this one first.',
  'BackupService.6103': 'The volume is in another vault. Ask again with --move to move it (its backups move with it).',
  'BackupService.6104': 'The volume was named twice in one call; the bot sends each once, so tell its administrators.',
  'BackupService.6100':
    'The vault is full: its capacity is less than the disks in it need. Expand the vault, or use another one.',
  'BackupService.6102': 'This vault cannot hold disks (it is a server vault). Pick a disk vault.',
  'BackupService.6135':
    'The volume is no longer in the vault it was to be taken from (moved or removed since). Check where it is now.',
  'BackupService.7000': 'The disk no longer exists (deleted since the request was checked).',
  'BackupService.9900':
    'The vault no longer exists (deleted, or in another project). Pick a current vault and ask again.',
  'AutoBackup.0003': "The bot's cloud token expired during the call. Asking again is safe.",
  'AutoBackup.0210': 'VBS cannot back up SAP HANA disks: protect them with HANA-aware backup (backint) instead.',
  'AutoBackup.0220': 'VBS cannot back up DESS (dedicated storage) disks: protect them another way.',
  'AutoBackup.0213': "The bot's cloud account may not change this policy. An administrator must grant VBS rights.",
  'VolumeBackup.0042': "The bot's cloud account may not do this. An administrator must grant VBS rights.",
  'HTTP 403': "The bot's cloud account may not do this. An administrator must grant VBS rights in this project.",
  OTC_AUTH: "The cloud refused the bot's credentials. Tell the bot's administrators.",
  // A call whose answer was lost or unreadable may have changed the cloud: say so, never "not added".
  OTC_NETWORK:
    "The cloud's answer did not arrive, so the volume may or may not have been added. Asking again is safe: adding a volume twice changes nothing.",
  OTC_RESPONSE_SHAPE:
    "The cloud's answer could not be read, so the volume may or may not have been added. Asking again is safe; tell the bot's administrators.",
};

const SERVER_ERROR = 'The cloud had an internal error. Asking again is safe: adding a volume twice changes nothing.';

export const NO_REASON_GIVEN = 'no reason given by the cloud';

export function hintForCode(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  const hint = HINTS[code];
  if (hint !== undefined) return hint;
  if (/^HTTP 5\d\d$/.test(code) || code === 'HTTP 429') return SERVER_ERROR;
  return undefined;
}
