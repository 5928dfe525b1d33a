/** Usage text, shown by `/backup help` and after every grammar error. Plain text; the Slack layer formats it. */
export const ASSOCIATE_USAGE =
  '/backup associate <policy> <volume>... [--server NAME] [--project NAME] [--reason TEXT] [--now] [--move] [--dry-run]\n' +
  '  <policy>   a backup policy (VBS project) or vault (CBR project), by name or id, e.g. daily-7d\n' +
  '  <volume>   EVS volume ids or names, separated by spaces or commas\n' +
  '  --server   also every volume attached to this server (name or id)\n' +
  '  --project  the project to act in (default: the configured default project)\n' +
  '  --reason   why, shown in the record: --reason "INC-4711 db disks" or --reason=INC-4711\n' +
  '  --now      back the policy (or vault) up right after the volumes are added: every volume in it\n' +
  '  --move     CBR: move a volume that is in another vault (with its backups); without it that volume is left alone\n' +
  '  --dry-run  check everything and say what would happen and which rule decides; change nothing';

export const DISASSOCIATE_USAGE =
  '/backup disassociate <policy> <volume>... [--server NAME] [--project NAME] [--reason TEXT] [--dry-run]\n' +
  '  takes volumes out of a backup policy or vault: same checks, rules (actions: [disassociate]) and approvals';

export const STATUS_USAGE =
  "/backup status <request-id>   a request's state and history, e.g. /backup status r-7kq2m9xa\n" +
  '/backup status <volume> [--project NAME]   which policy or vault holds a volume, and its last backup';
export const AUDIT_USAGE =
  "/backup audit [--days N]      a CSV file of recent requests (yours; everyone's for approvers), default 7 days, at most 90";

export const HELP_TEXT =
  'Attach EVS volumes to a backup policy (VBS) or vault (CBR), or take them out again.\n\n' +
  '/backup associate    opens a form: pick the project, the policy and volumes by name, see who must approve\n' +
  `${ASSOCIATE_USAGE}\n${DISASSOCIATE_USAGE}\n\n` +
  'Example:\n' +
  '  /backup associate daily-7d 0f187b65-8d0e-4fc0-9096-3b55d330531e, db-data-2 --reason "INC-4711 db disks"\n\n' +
  `${STATUS_USAGE}\n${AUDIT_USAGE}\n` +
  '/backup help                  shows this text.';
