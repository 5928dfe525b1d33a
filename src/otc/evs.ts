import { asVolumeId, isUuid } from '../domain/ids';
import type { RequestAuthorizer } from './auth';
import { buildUrl, resolveEndpoint } from './endpoints';
import type { QueryPairs } from './endpoints';
import { toVolume, volumeGetBodySchema, volumeListBodySchema } from './evs-schemas';
import type { HttpCore } from './http';
import { getIfExists } from './http';
import { mapConcurrent } from './map-concurrent';
import { nextMarker } from './paging';
import type { ProjectRef, Volume, VolumeDirectory, VolumeFilters, VolumePage } from './types';

/** EVS's documented maximum (and default) `limit` of `cloudvolumes/detail`; a larger page size is cut to it. */
export const EVS_MAX_PAGE_SIZE = 1000;
export const DEFAULT_VOLUME_PAGE_SIZE = EVS_MAX_PAGE_SIZE;
export const DEFAULT_LOOKUP_CONCURRENCY = 4;
/** Stops a cloud that ignores `offset` and `marker` from paging forever (1000 pages of 1000 = a million disks). */
const MAX_PAGES = 1000;

export interface EvsOptions {
  readonly pageSize: number;
  readonly lookupConcurrency: number;
}

/** Where the next page starts: nothing (the first page), an offset, or the marker of a `next` link. */
type Cursor = { readonly offset?: number; readonly marker?: string };

interface ListedPage {
  readonly volumes: Volume[];
  readonly count: number | undefined;
  readonly marker: string | undefined;
}

/** EVS look-ups under `{evs}/v2/{project_id}`. */
export function createEvsApi(
  http: HttpCore,
  evsTemplate: string,
  authorizer: RequestAuthorizer,
  options: EvsOptions,
): VolumeDirectory {
  const base = (project: ProjectRef): string => resolveEndpoint(evsTemplate, project.region);
  const pageSize = Math.min(options.pageSize, EVS_MAX_PAGE_SIZE);

  const fetchPage = async (
    project: ProjectRef,
    filters: VolumeFilters,
    limit: number,
    cursor: Cursor,
  ): Promise<ListedPage> => {
    const query: Array<readonly [string, string]> = [];
    if (filters.name !== undefined) query.push(['name', filters.name]);
    if (filters.status !== undefined) query.push(['status', filters.status]);
    if (filters.availabilityZone !== undefined) query.push(['availability_zone', filters.availabilityZone]);
    if (filters.serverId !== undefined) query.push(['server_id', filters.serverId]);
    query.push(['limit', String(limit)]);
    // The docs want an offset "greater than 0 but less than the number of disks": the first page sends none.
    if (cursor.offset !== undefined && cursor.offset > 0) query.push(['offset', String(cursor.offset)]);
    if (cursor.marker !== undefined) query.push(['marker', cursor.marker]);
    const url = buildUrl(base(project), ['v2', project.id, 'cloudvolumes', 'detail'], query satisfies QueryPairs);
    const result = await http.call({ method: 'GET', url, schema: volumeListBodySchema, auth: { authorizer, project } });
    const body = result.value;
    return {
      volumes: body.volumes.map(toVolume),
      count: body.count ?? undefined,
      marker: nextMarker(body.volumes_links),
    };
  };

  const directory: VolumeDirectory = {
    async getVolume(project, id) {
      const url = buildUrl(base(project), ['v2', project.id, 'volumes', id]);
      const body = await getIfExists(http, { url, schema: volumeGetBodySchema, auth: { authorizer, project } });
      return body === undefined ? undefined : toVolume(body.volume);
    },

    /** One page; every filter, `serverId` too, is EVS's own, so `count` is the total that matches. */
    async listVolumes(project, filters, page): Promise<VolumePage> {
      const { volumes, count } = await fetchPage(project, filters, Math.min(page.limit, EVS_MAX_PAGE_SIZE), {
        offset: page.offset,
      });
      return { volumes, count };
    },

    /**
     * Pages by the `next` link's marker when EVS sends one, else by offset (or, once on markers, by the
     * last id). Reads until `count` volumes came back, so no offset ever reaches the count (EVS
     * refuses that); a page shorter than asked is not the end while the count says more are left
     * (EVS may cap `limit`). Without a count, a short page is the end. A page with nothing new stops.
     */
    async listAllVolumes(project, filters) {
      const seen = new Map<string, Volume>();
      let cursor: Cursor = {};
      let read = 0;
      for (let pageNo = 0; pageNo < MAX_PAGES; pageNo += 1) {
        const page = await fetchPage(project, filters, pageSize, cursor);
        let fresh = 0;
        for (const v of page.volumes) {
          if (!seen.has(v.id)) fresh += 1;
          seen.set(v.id, v);
        }
        read += page.volumes.length;
        const last = page.volumes[page.volumes.length - 1];
        const more = page.count === undefined ? page.volumes.length >= pageSize : read < page.count;
        if (last === undefined || fresh === 0 || !more) break;
        if (page.marker !== undefined) cursor = { marker: page.marker };
        else cursor = cursor.marker === undefined ? { offset: read } : { marker: last.id };
      }
      return [...seen.values()];
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
