import type { Reply, SandboxContext, SandboxRequest } from './http-util';
import { itemNotFound, reply } from './http-util';
import type { SandboxServer } from './model';

/** Nova's default `osapi_max_limit`: a larger `limit` is cut down to it. */
export const ECS_MAX_LIMIT = 1000;
/** Server names are at most 255 characters; a longer filter is refused rather than run. */
const MAX_NAME_FILTER = 255;

function badRequest(message: string): Reply {
  return reply(400, { badRequest: { code: 400, message } });
}

function links(ctx: SandboxContext, projectId: string, serverId: string): Array<{ href: string; rel: string }> {
  return [
    { href: `${ctx.baseUrl()}/v2.1/${projectId}/servers/${serverId}`, rel: 'self' },
    { href: `${ctx.baseUrl()}/${projectId}/servers/${serverId}`, rel: 'bookmark' },
  ];
}

/** The name filter as Nova reads it: a regular expression that may match anywhere, unless anchored. */
function compileName(pattern: string): RegExp | string {
  if (pattern.length > MAX_NAME_FILTER) return `Invalid input for name: longer than ${MAX_NAME_FILTER} characters.`;
  try {
    return new RegExp(pattern);
  } catch {
    return `Invalid regular expression for name: '${pattern}'.`;
  }
}

/**
 * `GET /v2.1/{project_id}/servers`: the plain list (id, name, links per server). `name` is a regular
 * expression (anchored only if the caller anchors it); paging by `limit` (default and max 1000) and
 * `marker` (a server id). A page as long as the limit carries a `servers_links` next link, as in Nova.
 */
export function handleListServers(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  let matching = ctx.state.listServers(projectId);
  const name = req.query.get('name');
  if (name !== null) {
    const regex = compileName(name);
    if (typeof regex === 'string') return badRequest(regex);
    matching = matching.filter((s) => regex.test(s.name));
  }
  const limitText = req.query.get('limit');
  if (limitText !== null && !/^\d+$/.test(limitText)) return badRequest('limit param must be an integer');
  const limit = Math.min(limitText === null ? ECS_MAX_LIMIT : Number(limitText), ECS_MAX_LIMIT);
  let start = 0;
  const marker = req.query.get('marker');
  if (marker !== null) {
    const index = matching.findIndex((s) => s.id === marker.toLowerCase());
    if (index < 0) return badRequest(`marker [${marker}] not found`);
    start = index + 1;
  }
  const page = matching.slice(start, start + limit);
  const body: Record<string, unknown> = {
    servers: page.map((s) => ({ id: s.id, name: s.name, links: links(ctx, projectId, s.id) })),
  };
  const last = page[page.length - 1];
  if (last !== undefined && page.length >= limit) {
    const next = new URLSearchParams();
    if (name !== null) next.set('name', name);
    next.set('limit', String(limit));
    next.set('marker', last.id);
    body.servers_links = [{ href: `${ctx.baseUrl()}/v2.1/${projectId}/servers?${next.toString()}`, rel: 'next' }];
  }
  return reply(200, body);
}

/** `GET /v2.1/{project_id}/servers/{server_id}`: the server, with the volumes attached to it. */
export function handleGetServer(ctx: SandboxContext, req: SandboxRequest): Reply {
  const projectId = req.params.projectId ?? '';
  const serverId = req.params.serverId ?? '';
  const server = ctx.state.getServer(projectId, serverId);
  if (server === undefined) return itemNotFound(`Instance ${serverId}`);
  return reply(200, { server: renderServer(ctx, projectId, server) });
}

function renderServer(ctx: SandboxContext, projectId: string, server: SandboxServer): Record<string, unknown> {
  const attached = ctx.state
    .listVolumes(projectId)
    .filter((v) => v.attachments.some((a) => a.serverId === server.id))
    .map((v) => ({ id: v.id, delete_on_termination: false }));
  return {
    id: server.id,
    name: server.name,
    status: server.status,
    tenant_id: projectId,
    created: server.createdAt,
    links: links(ctx, projectId, server.id),
    'os-extended-volumes:volumes_attached': attached,
  };
}
