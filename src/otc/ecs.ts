import { asServerId, isUuid } from '../domain/ids';
import type { RequestAuthorizer } from './auth';
import { buildUrl, resolveEndpoint } from './endpoints';
import { serverGetBodySchema, serverListBodySchema, toServer } from './ecs-schemas';
import type { HttpCore } from './http';
import { getIfExists } from './http';
import { nextMarker } from './paging';
import type { ProjectRef, Server, ServerDirectory } from './types';

/** The ECS docs' maximum `limit` of the server list ("a maximum of 1,000 ECSs ... on each page"). */
export const ECS_MAX_PAGE_SIZE = 1000;
export const DEFAULT_SERVER_PAGE_SIZE = ECS_MAX_PAGE_SIZE;
/** Stops a cloud that ignores `marker` from paging forever. */
const MAX_PAGES = 1000;

export interface EcsOptions {
  readonly pageSize: number;
}

/**
 * What to send as the server list's `name` filter for an exact look-up of `name`. ECS documents the
 * filter as "fuzzy-matched"; Nova underneath reads it as an unanchored regular expression. The longest
 * run of the name without regular-expression metacharacters finds the name under either reading (a
 * substring is a substring, and such a run is its own literal pattern); undefined (list everything)
 * when no such run is left. The exact match is always made on the client.
 */
export function nameFilterFor(name: string): string | undefined {
  const runs = name.split(/[\\^$.|?*+()[\]{}]/).filter((run) => run.trim() !== '');
  return runs.reduce<string | undefined>(
    (best, run) => (best === undefined || run.length > best.length ? run : best),
    undefined,
  );
}

/** ECS server look-ups under `{ecs}/v2.1/{project_id}` (the native OpenStack API). */
export function createEcsApi(
  http: HttpCore,
  ecsTemplate: string,
  authorizer: RequestAuthorizer,
  options: EcsOptions,
): ServerDirectory {
  const base = (project: ProjectRef): string => resolveEndpoint(ecsTemplate, project.region);
  // A larger limit is cut to the cap by ECS anyway; asking for more would only hide where pages end.
  const pageSize = Math.min(options.pageSize, ECS_MAX_PAGE_SIZE);

  const getServer = async (project: ProjectRef, id: string): Promise<Server | undefined> => {
    const url = buildUrl(base(project), ['v2.1', project.id, 'servers', id]);
    const body = await getIfExists(http, { url, schema: serverGetBodySchema, auth: { authorizer, project } });
    return body === undefined ? undefined : toServer(body.server);
  };

  /**
   * Every server (whose name matches `name` as ECS matches it, loosely, when given). Follows the
   * `servers_links` next marker while ECS sends one; without a link, a full page asks on from its last
   * id and a short page is the end. A page with nothing new stops (a cloud that ignores the marker).
   */
  const listServers = async (project: ProjectRef, name: string | undefined): Promise<Server[]> => {
    const seen = new Map<string, Server>();
    let marker: string | undefined;
    for (let pageNo = 0; pageNo < MAX_PAGES; pageNo += 1) {
      const query: Array<readonly [string, string]> = [
        ...(name === undefined ? [] : [['name', name] as const]),
        ['limit', String(pageSize)],
      ];
      if (marker !== undefined) query.push(['marker', marker]);
      const url = buildUrl(base(project), ['v2.1', project.id, 'servers'], query);
      const result = await http.call({
        method: 'GET',
        url,
        schema: serverListBodySchema,
        auth: { authorizer, project },
      });
      const page = result.value.servers;
      let fresh = 0;
      for (const raw of page) {
        if (!seen.has(raw.id)) fresh += 1;
        seen.set(raw.id, toServer(raw));
      }
      const linked = nextMarker(result.value.servers_links);
      const last = page[page.length - 1];
      if (last === undefined || fresh === 0) break;
      if (linked !== undefined) marker = linked;
      else if (page.length >= pageSize) marker = last.id;
      else break;
    }
    return [...seen.values()];
  };

  return {
    listServers: (project) => listServers(project, undefined),
    async findServersByRef(project, ref) {
      if (isUuid(ref)) {
        const server = await getServer(project, asServerId(ref));
        return server === undefined ? [] : [server];
      }
      if (ref.trim() === '') return [];
      const candidates = await listServers(project, nameFilterFor(ref));
      return candidates.filter((s) => s.name === ref);
    },
  };
}
