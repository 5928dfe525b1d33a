import type { Reply, SandboxContext, SandboxRequest } from './http-util';
import { itemNotFound, reply } from './http-util';
import { renderVolume } from './evs-view';
import { iamIdOf } from './iam-routes';
import type { SandboxVolume } from './model';

export const EVS_MAX_LIMIT = 1000;
/** The most disks one `ids` filter may name, as EVS documents it. */
export const EVS_MAX_IDS = 60;

const FILTERS: ReadonlyArray<readonly [string, (v: SandboxVolume, wanted: string) => boolean]> = [
  ['name', (v, wanted) => v.name === wanted],
  ['status', (v, wanted) => v.status === wanted],
  ['availability_zone', (v, wanted) => v.availabilityZone === wanted],
  ['server_id', (v, wanted) => v.attachments.some((a) => a.serverId === wanted.toLowerCase())],
];

function badRequest(message: string): Reply {
  return reply(400, { badrequest: { code: 400, message } });
}

/** `ids=['id1','id2']`, the form EVS documents: the ids (lowercased), or the 400's message. */
function parseIds(text: string): ReadonlySet<string> | string {
  const inner = /^\[(.*)\]$/.exec(text.trim())?.[1];
  const ids = inner?.split(',').map((part) => /^\s*'([^']+)'\s*$/.exec(part)?.[1]);
  if (ids === undefined || ids.some((id) => id === undefined))
    return `Invalid input received: ids must look like ['id1','id2'], got '${text}'.`;
  if (ids.length > EVS_MAX_IDS) return `Invalid input received: ids may name at most ${EVS_MAX_IDS} disks.`;
  return new Set(ids.map((id) => (id ?? '').toLowerCase()));
}

function parseCount(query: URLSearchParams, key: string, fallback: number): number | string {
  const text = query.get(key);
  if (text === null) return fallback;
  if (!/^\d+$/.test(text)) return `Invalid input received: ${key} must be a non-negative integer, got '${text}'.`;
  return Number(text);
}

/**
 * `GET /v2/{project_id}/cloudvolumes/detail`: exact filters `name`, `status`, `availability_zone`,
 * `server_id`; `ids=['id1',...]` (at most 60; ids that do not exist are left out); paging by
 * `limit` (default and max 1000), `offset` (below the count, else 400) and `marker`.
 * Ordered by name, then id.
 * `count` is the number of volumes matching the filters, whatever the page.
 */
export function handleListVolumes(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const limit = parseCount(req.query, 'limit', EVS_MAX_LIMIT);
  if (typeof limit === 'string') return badRequest(limit);
  if (limit > EVS_MAX_LIMIT) return badRequest(`Invalid input received: limit must be at most ${EVS_MAX_LIMIT}.`);
  const offset = parseCount(req.query, 'offset', 0);
  if (typeof offset === 'string') return badRequest(offset);

  let matching = ctx.state.listVolumes(projectId);
  const idsText = req.query.get('ids');
  if (idsText !== null) {
    const ids = parseIds(idsText);
    if (typeof ids === 'string') return badRequest(ids);
    matching = matching.filter((v) => ids.has(v.id));
  }
  for (const [key, test] of FILTERS) {
    const wanted = req.query.get(key);
    if (wanted !== null) matching = matching.filter((v) => test(v, wanted));
  }
  let start = 0;
  const marker = req.query.get('marker');
  if (marker !== null) {
    const index = matching.findIndex((v) => v.id === marker.toLowerCase());
    if (index < 0) return badRequest(`Invalid input received: marker ${marker} not found.`);
    start = index + 1;
  }
  // The docs: "less than the number of disks". 0 is the start, whatever the count (an empty list too).
  if (offset > 0 && offset >= matching.length - start) {
    return badRequest(`Invalid input received: offset ${offset} must be less than the number of disks.`);
  }
  const page = matching.slice(start + offset, start + offset + limit);
  const userId = iamIdOf('user', ctx.credentials.username);
  const body: Record<string, unknown> = {
    count: matching.length,
    volumes: page.map((v) => renderVolume(v, projectId, ctx.baseUrl(), userId)),
  };
  const last = page[page.length - 1];
  if (last !== undefined && start + offset + page.length < matching.length) {
    const next = new URLSearchParams(
      [...FILTERS.map(([key]) => key), 'ids'].flatMap((key) => withValue(key, req.query.get(key))),
    );
    next.set('limit', String(limit));
    next.set('marker', last.id);
    body.volumes_links = [
      { href: `${ctx.baseUrl()}/v2/${projectId}/cloudvolumes/detail?${next.toString()}`, rel: 'next' },
    ];
  }
  return reply(200, body);
}

function withValue(key: string, value: string | null): Array<[string, string]> {
  return value === null ? [] : [[key, value]];
}

/** `GET /v2/{project_id}/volumes/{volume_id}`. */
export function handleGetVolume(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const volumeId = req.params.volumeId ?? '';
  const volume = ctx.state.getVolume(projectId, volumeId);
  if (volume === undefined) return itemNotFound(`Volume ${volumeId}`);
  const userId = iamIdOf('user', ctx.credentials.username);
  return reply(200, { volume: renderVolume(volume, projectId, ctx.baseUrl(), userId) });
}
