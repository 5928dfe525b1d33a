import type { CbrBackupView } from './backup-model';
import type { NewCheckpointInput } from './backup-state';
import { renderCbrBackup, renderCheckpoint } from './backup-view';
import { CBR_MESSAGES, cbrBadRequest, cbrError } from './cbr-codes';
import { CBR_MAX_LIMIT } from './cbr-routes';
import type { Reply, SandboxContext, SandboxRequest } from './http-util';
import { reply } from './http-util';

/**
 * `POST /v3/{project_id}/checkpoints` `{"checkpoint":{"vault_id","parameters":{…}}}` -> 200
 * `{"checkpoint":{…}}`: backs up the vault's disks (or `parameters.resources` /
 * `resource_details[].id`, each of which must be in the vault: else 400 BackupService.6135). Disks with a
 * backup in progress (6125) or in a status EVS cannot back up (7003) are `skipped_resources`; when
 * nothing is left (an empty vault too) the answer is 400 BackupService.0001. `name` (1-64 of letters,
 * digits, `_`, `-`), `description` (at most 255), `auto_trigger` and `incremental` (booleans) are
 * checked as the docs bound them; a body CBR cannot read, or an unknown `vault_id` (a body parameter:
 * 400, as the sandbox answers an unknown destination vault), is 400 BackupService.9900. Without a name,
 * the backups are `manualbk_xxxx` (`autobk_xxxx` with `auto_trigger`).
 */
export function handleCreateCheckpoint(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const input = parseCheckpointBody(req.body);
  if (typeof input === 'string') return cbrBadRequest(input);
  const outcome = ctx.state.backups.createCheckpoint(projectId, input);
  switch (outcome.kind) {
    case 'unknown-vault':
      return cbrError(400, 'BackupService.9900', 'Invalid vault_id provided.');
    case 'not-in-vault':
      return cbrError(
        400,
        'BackupService.6135',
        `${CBR_MESSAGES['BackupService.6135']} The resource ${outcome.resourceId} is not in vault ${input.vaultId}.`,
      );
    case 'nothing-to-back-up': {
      const why = outcome.skipped.map((s) => `${s.id}: ${s.reason}`).join(' ');
      const message = `${CBR_MESSAGES['BackupService.0001']}${why === '' ? ' The vault has no disks.' : ` ${why}`}`;
      return cbrError(400, 'BackupService.0001', message);
    }
    case 'created':
      return reply(200, { checkpoint: renderCheckpoint(outcome.checkpoint, projectId) });
  }
}

/** `GET /v3/{project_id}/checkpoints/{checkpoint_id}`; unknown: 404 BackupService.6217. */
export function handleShowCheckpoint(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const checkpoint = ctx.state.backups.checkpoint(projectId, req.params.checkpointId ?? '');
  if (checkpoint === undefined) return cbrError(404, 'BackupService.6217');
  return reply(200, { checkpoint: renderCheckpoint(checkpoint, projectId) });
}

/** `GET /v3/{project_id}/backups/{backup_id}` -> `{"backup":{…}}`; unknown: 404 BackupService.6200. */
export function handleShowCbrBackup(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const backup = ctx.state.backups.cbrBackup(projectId, req.params.backupId ?? '');
  if (backup === undefined) return cbrError(404, 'BackupService.6200');
  return reply(200, { backup: renderCbrBackup(backup, projectId) });
}

const BACKUP_STATUSES = [
  'available',
  'protecting',
  'deleting',
  'restoring',
  'error',
  'waiting_protect',
  'waiting_delete',
  'waiting_restore',
];

/** Exact filters; ids compare ignoring case. */
const FILTERS: ReadonlyArray<readonly [string, (b: CbrBackupView, wanted: string) => boolean]> = [
  ['checkpoint_id', (b, wanted) => b.checkpointId === wanted.toLowerCase()],
  ['vault_id', (b, wanted) => b.vaultId === wanted.toLowerCase()],
  ['resource_id', (b, wanted) => b.volumeId === wanted.toLowerCase()],
  ['resource_name', (b, wanted) => b.volumeName === wanted],
  ['resource_type', (_b, wanted) => wanted === 'OS::Cinder::Volume'],
  ['resource_az', (b, wanted) => b.availabilityZone === wanted],
  ['name', (b, wanted) => b.name === wanted],
  ['image_type', (_b, wanted) => wanted === 'backup'],
  // The sandbox's backups are disk backups without a parent.
  ['parent_id', () => false],
];

const SORT_KEYS: Readonly<Record<string, (b: CbrBackupView) => string | number>> = {
  created_at: (b) => b.createdAt,
  updated_at: (b) => b.finishedAt ?? b.createdAt,
  name: (b) => b.name,
  status: (b) => b.status,
  // Not protected yet sorts first.
  protected_at: (b) => (b.status === 'available' ? (b.finishedAt ?? -1) : -1),
  id: (b) => b.id,
};

/**
 * `GET /v3/{project_id}/backups` -> `{"backups":[…],"count":N,"limit","offset"}`. Filters: `vault_id`,
 * `checkpoint_id`, `resource_id`, `resource_name`, `resource_type`, `resource_az`, `name`, `image_type`
 * (`backup`), `parent_id` (no sandbox backup has one), `status` (repeatable: any of them), `start_time` and
 * `end_time` (`2018-02-01T12:00:00Z`: created at or after, at or before), `used_percent` (1-100: backups
 * taking at least that share of their vault's capacity), `own_type` (`private`, the default, and
 * `all_granted` list the project's backups; `shared` none), `member_status` (no backup is shared: none),
 * `dec` (true/false, no effect). `sort` is `key[:asc|desc],…` over created_at, updated_at, name, status,
 * protected_at, id (default direction desc; default `created_at:desc`). Paging: `marker` (a backup id: the
 * page starts after it), `offset` (default 0; past the end is an empty page), `limit` (1-1000, default
 * 1000); `count` is the number matching, whatever the page. A value the docs do not allow is 400
 * BackupService.9900.
 */
export function handleListCbrBackups(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const query = req.query;
  const checked = checkListQuery(query);
  if (typeof checked === 'string') return cbrBadRequest(checked);
  const { limit, offset, sort, statuses, after, before, usedPercent, noneOwned } = checked;

  let matching = noneOwned ? [] : ctx.state.backups.cbrBackups(projectId);
  for (const [key, test] of FILTERS) {
    const wanted = query.get(key);
    if (wanted !== null) matching = matching.filter((b) => test(b, wanted));
  }
  matching = matching.filter(
    (b) =>
      (statuses.length === 0 || statuses.includes(b.status)) &&
      (after === undefined || b.createdAt >= after) &&
      (before === undefined || b.createdAt <= before),
  );
  if (usedPercent !== undefined) {
    matching = matching.filter((b) => {
      const capacity = ctx.state.cbr.getVault(projectId, b.vaultId)?.sizeGb;
      return capacity !== undefined && b.sizeGb * 100 >= usedPercent * capacity;
    });
  }
  // cbrBackups is oldest first, which breaks the ties of every key.
  matching.sort((a, b) => {
    for (const [keyOf, direction] of sort) {
      const order = compare(keyOf(a), keyOf(b));
      if (order !== 0) return direction === 'asc' ? order : -order;
    }
    return 0;
  });
  const marker = query.get('marker');
  let start = 0;
  if (marker !== null) {
    start = matching.findIndex((b) => b.id === marker.toLowerCase()) + 1;
    if (start === 0) return cbrBadRequest(`marker ${marker} is no backup of the project.`);
  }
  const page = matching.slice(start + offset, start + offset + limit);
  return reply(200, {
    backups: page.map((b) => renderCbrBackup(b, projectId)),
    count: matching.length,
    limit,
    offset,
  });
}

interface ListQuery {
  readonly limit: number;
  readonly offset: number;
  readonly sort: ReadonlyArray<readonly [(b: CbrBackupView) => string | number, 'asc' | 'desc']>;
  readonly statuses: readonly string[];
  readonly after: number | undefined;
  readonly before: number | undefined;
  readonly usedPercent: number | undefined;
  /** `own_type=shared` or any `member_status`: backups shared with the project, of which there are none. */
  readonly noneOwned: boolean;
}

function checkListQuery(query: URLSearchParams): ListQuery | string {
  const limit = integerIn(query, 'limit', CBR_MAX_LIMIT, 1, CBR_MAX_LIMIT);
  if (typeof limit === 'string') return limit;
  const offset = integerIn(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  if (typeof offset === 'string') return offset;
  const usedPercent = query.has('used_percent') ? integerIn(query, 'used_percent', 0, 1, 100) : undefined;
  if (typeof usedPercent === 'string') return usedPercent;
  const statuses = query.getAll('status');
  const badStatus = statuses.find((s) => !BACKUP_STATUSES.includes(s));
  if (badStatus !== undefined) return `status must be one of ${BACKUP_STATUSES.join(', ')}, got '${badStatus}'.`;
  const after = time(query, 'start_time');
  const before = time(query, 'end_time');
  if (typeof after === 'string') return after;
  if (typeof before === 'string') return before;
  const ownType = query.get('own_type') ?? 'private';
  if (!['private', 'all_granted', 'shared'].includes(ownType)) {
    return `own_type must be private, all_granted or shared, got '${ownType}'.`;
  }
  const memberStatus = query.get('member_status');
  if (memberStatus !== null && !['pending', 'accepted', 'rejected'].includes(memberStatus)) {
    return `member_status must be pending, accepted or rejected, got '${memberStatus}'.`;
  }
  const dec = query.get('dec');
  if (dec !== null && dec !== 'true' && dec !== 'false') return `dec must be true or false, got '${dec}'.`;
  const sort = parseSort(query.get('sort') ?? 'created_at:desc');
  if (typeof sort === 'string') return sort;
  return {
    limit,
    offset,
    sort,
    statuses,
    after,
    before,
    usedPercent,
    noneOwned: ownType === 'shared' || memberStatus !== null,
  };
}

function parseSort(text: string): ListQuery['sort'] | string {
  if (text.length > 255) return 'sort must be at most 255 characters.';
  const keys: Array<readonly [(b: CbrBackupView) => string | number, 'asc' | 'desc']> = [];
  for (const part of text.split(',')) {
    const [key = '', direction = 'desc', extra] = part.trim().split(':');
    const keyOf = SORT_KEYS[key];
    if (keyOf === undefined || extra !== undefined) {
      return `sort keys are ${Object.keys(SORT_KEYS).join(', ')} with :asc or :desc, got '${part}'.`;
    }
    if (direction !== 'asc' && direction !== 'desc') return `sort direction must be asc or desc, got '${direction}'.`;
    keys.push([keyOf, direction]);
  }
  return keys;
}

function integerIn(query: URLSearchParams, key: string, fallback: number, min: number, max: number): number | string {
  const text = query.get(key);
  if (text === null) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    return `${key} must be an integer from ${min} to ${max}, got '${text}'.`;
  }
  return Number(text);
}

/** `%YYYY-%mm-%ddT%HH:%MM:%SSZ` -> epoch ms; absent: undefined. */
function time(query: URLSearchParams, key: string): number | undefined | string {
  const text = query.get(key);
  if (text === null) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(text);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m === null ? [] : m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (m === null || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    return `${key} must be a UTC time like 2018-02-01T12:00:00Z, got '${text}'.`;
  }
  return date.getTime();
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** The body of POST /checkpoints, or what is wrong with it. */
function parseCheckpointBody(body: Buffer): NewCheckpointInput | string {
  const text = body.toString('utf8').trim();
  if (text === '') return 'The request body is empty.';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'The request body is not JSON.';
  }
  const checkpoint = objectOrUndefined(objectOrUndefined(value)?.checkpoint);
  if (checkpoint === undefined) return 'checkpoint must be an object.';
  const vaultId = checkpoint.vault_id;
  if (typeof vaultId !== 'string' || vaultId.trim() === '') return 'checkpoint.vault_id must be a vault id.';
  if (checkpoint.parameters === undefined) return { vaultId: vaultId.trim() };
  const p = objectOrUndefined(checkpoint.parameters);
  if (p === undefined) return 'checkpoint.parameters must be an object.';
  const { auto_trigger: autoTrigger, incremental, name, description, resources, resource_details: details } = p;
  if (autoTrigger !== undefined && typeof autoTrigger !== 'boolean')
    return 'parameters.auto_trigger must be a boolean.';
  if (incremental !== undefined && typeof incremental !== 'boolean') return 'parameters.incremental must be a boolean.';
  if (name !== undefined && (typeof name !== 'string' || !NAME_RE.test(name))) {
    return 'parameters.name must be 1 to 64 letters, digits, underscores or hyphens.';
  }
  if (description !== undefined && (typeof description !== 'string' || description.length > 255)) {
    return 'parameters.description must be a string of at most 255 characters.';
  }
  const ids: string[] = [];
  if (resources !== undefined) {
    if (!Array.isArray(resources) || resources.some((r) => typeof r !== 'string' || r.trim() === '')) {
      return 'parameters.resources must be a list of resource ids.';
    }
    ids.push(...resources.map((r) => String(r).trim()));
  }
  if (details !== undefined) {
    if (!Array.isArray(details)) return 'parameters.resource_details must be a list.';
    for (const [index, item] of details.entries()) {
      const detail = objectOrUndefined(item);
      if (typeof detail?.id !== 'string' || detail.id.trim() === '' || typeof detail.type !== 'string') {
        return `parameters.resource_details[${index}] needs an id and a type.`;
      }
      ids.push(detail.id.trim());
    }
  }
  return {
    vaultId: vaultId.trim(),
    resources: ids,
    ...(name === undefined ? {} : { name }),
    ...(description === undefined ? {} : { description }),
    ...(autoTrigger === undefined ? {} : { autoTrigger }),
    ...(incremental === undefined ? {} : { incremental }),
  };
}

function objectOrUndefined(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
