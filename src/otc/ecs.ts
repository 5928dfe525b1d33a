import { asServerId, isUuid } from '../domain/ids';
import type { RequestAuthorizer } from './auth';
import { buildUrl, resolveEndpoint } from './endpoints';
import { serverGetBodySchema, serverListBodySchema, toServer } from './ecs-schemas';
import type { HttpCore } from './http';
import { getIfExists } from './http';
import type { ProjectRef, Server, ServerDirectory } from './types';

/** Nova's default `osapi_max_limit`; a larger `limit` is cut down to it anyway. */
export const DEFAULT_SERVER_PAGE_SIZE = 1000;
/** Stops a cloud that ignores `marker` from paging forever. */
const MAX_PAGES = 1000;

export interface EcsOptions {
  readonly pageSize: number;
}

/**
 * `^…$` around `text` with every regular-expression metacharacter escaped: Nova treats the server
 * list's `name` filter as a regular expression that matches anywhere in the name.
 */
export function toExactNameRegex(text: string): string {
  return `^${text.replace(/[\\^$.|?*+()[\]{}-]/g, '\\$&')}$`;
}

/** ECS server look-ups under `{ecs}/v2.1/{project_id}` (the native OpenStack API). */
export function createEcsApi(
  http: HttpCore,
  ecsTemplate: string,
  authorizer: RequestAuthorizer,
  options: EcsOptions,
): ServerDirectory {
  const base = (project: ProjectRef): string => resolveEndpoint(ecsTemplate, project.region);

  const getServer = async (project: ProjectRef, id: string): Promise<Server | undefined> => {
    const url = buildUrl(base(project), ['v2.1', project.id, 'servers', id]);
    const body = await getIfExists(http, { url, schema: serverGetBodySchema, auth: { authorizer, project } });
    return body === undefined ? undefined : toServer(body.server);
  };

  /** Every server (whose name matches `nameRegex`, when given), paging with limit/marker while pages come back full. */
  const listServers = async (project: ProjectRef, nameRegex: string | undefined): Promise<Server[]> => {
    const seen = new Map<string, Server>();
    let marker: string | undefined;
    for (let pageNo = 0; pageNo < MAX_PAGES; pageNo += 1) {
      const query: Array<readonly [string, string]> = [
        ...(nameRegex === undefined ? [] : [['name', nameRegex] as const]),
        ['limit', String(options.pageSize)],
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
      const last = page[page.length - 1];
      if (last === undefined || page.length < options.pageSize || fresh === 0) break;
      marker = last.id;
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
      const candidates = await listServers(project, toExactNameRegex(ref));
      return candidates.filter((s) => s.name === ref);
    },
  };
}
