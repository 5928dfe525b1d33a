import { asVolumeId, isUuid } from '../domain/ids';
import type { RequestAuthorizer } from './auth';
import { buildUrl, resolveEndpoint } from './endpoints';
import type { QueryPairs } from './endpoints';
import { toVolume, volumeGetBodySchema, volumeListBodySchema } from './evs-schemas';
import type { HttpCore } from './http';
import { getIfExists } from './http';
import { mapConcurrent } from './map-concurrent';
import type { ProjectRef, Volume, VolumeDirectory, VolumeFilters, VolumePage } from './types';

export const DEFAULT_VOLUME_PAGE_SIZE = 1000;
export const DEFAULT_LOOKUP_CONCURRENCY = 4;
/** Stops a cloud that ignores `offset` from paging forever (1000 pages of 1000 = a million disks). */
const MAX_PAGES = 1000;

export interface EvsOptions {
  readonly pageSize: number;
  readonly lookupConcurrency: number;
}

/** EVS look-ups under `{evs}/v2/{project_id}`. */
export function createEvsApi(
  http: HttpCore,
  evsTemplate: string,
  authorizer: RequestAuthorizer,
  options: EvsOptions,
): VolumeDirectory {
  const base = (project: ProjectRef): string => resolveEndpoint(evsTemplate, project.region);

  const fetchPage = async (
    project: ProjectRef,
    filters: VolumeFilters,
    page: { readonly limit: number; readonly offset: number },
  ): Promise<{ volumes: Volume[]; count: number | undefined }> => {
    const query: Array<readonly [string, string]> = [];
    if (filters.name !== undefined) query.push(['name', filters.name]);
    if (filters.status !== undefined) query.push(['status', filters.status]);
    if (filters.availabilityZone !== undefined) query.push(['availability_zone', filters.availabilityZone]);
    query.push(['limit', String(page.limit)], ['offset', String(page.offset)]);
    const url = buildUrl(base(project), ['v2', project.id, 'cloudvolumes', 'detail'], query satisfies QueryPairs);
    const result = await http.call({ method: 'GET', url, schema: volumeListBodySchema, auth: { authorizer, project } });
    return { volumes: result.value.volumes.map(toVolume), count: result.value.count ?? undefined };
  };

  const byServer = (volumes: readonly Volume[], filters: VolumeFilters): Volume[] =>
    filters.serverId === undefined
      ? [...volumes]
      : volumes.filter((v) => v.attachments.some((a) => a.serverId === filters.serverId));

  const directory: VolumeDirectory = {
    async getVolume(project, id) {
      const url = buildUrl(base(project), ['v2', project.id, 'volumes', id]);
      const body = await getIfExists(http, { url, schema: volumeGetBodySchema, auth: { authorizer, project } });
      return body === undefined ? undefined : toVolume(body.volume);
    },

    /** One page. The `serverId` filter is applied here, on the page (EVS has no such filter), so `count` is then unknown. */
    async listVolumes(project, filters, page): Promise<VolumePage> {
      const { volumes, count } = await fetchPage(project, filters, page);
      return { volumes: byServer(volumes, filters), count: filters.serverId === undefined ? count : undefined };
    },

    async listAllVolumes(project, filters) {
      const seen = new Map<string, Volume>();
      for (let pageNo = 0; pageNo < MAX_PAGES; pageNo += 1) {
        const { volumes } = await fetchPage(project, filters, {
          limit: options.pageSize,
          offset: pageNo * options.pageSize,
        });
        let fresh = 0;
        for (const v of volumes) {
          if (!seen.has(v.id)) fresh += 1;
          seen.set(v.id, v);
        }
        if (volumes.length < options.pageSize || fresh === 0) break;
      }
      return byServer([...seen.values()], filters);
    },

    /**
     * Each ref that is a UUID is looked up by id (missing -> []); any other ref is a name: listed with
     * EVS's `name` filter (which may match loosely) and kept only on an exact, case-sensitive match.
     */
    async findVolumesByRef(project, refs) {
      const unique = [...new Set(refs)];
      const found = await mapConcurrent(unique, options.lookupConcurrency, async (ref): Promise<readonly Volume[]> => {
        if (isUuid(ref)) {
          const volume = await directory.getVolume(project, asVolumeId(ref));
          return volume === undefined ? [] : [volume];
        }
        const candidates = await directory.listAllVolumes(project, { name: ref });
        return candidates.filter((v) => v.name === ref);
      });
      return new Map(unique.map((ref, i) => [ref, found[i] ?? []] as const));
    },
  };
  return directory;
}
