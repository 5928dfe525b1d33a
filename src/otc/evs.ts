import { asVolumeId, isUuid } from '../domain/ids';
import type { VolumeId } from '../domain/ids';
import type { RequestAuthorizer } from './auth';
import { buildUrl, resolveEndpoint } from './endpoints';
import type { QueryPairs } from './endpoints';
import { OtcHttpError } from './errors';
import { toVolume, volumeGetBodySchema, volumeListBodySchema } from './evs-schemas';
import type { HttpCore } from './http';
import { getIfExists } from './http';
import { inBatches, mapConcurrent } from './map-concurrent';
import { nextMarker } from './paging';
import type { ProjectRef, Volume, VolumeDirectory, VolumeFilters, VolumePage } from './types';

/** EVS's documented maximum (and default) `limit` of `cloudvolumes/detail`; a larger page size is cut to it. */
export const EVS_MAX_PAGE_SIZE = 1000;
export const DEFAULT_VOLUME_PAGE_SIZE = EVS_MAX_PAGE_SIZE;
export const DEFAULT_LOOKUP_CONCURRENCY = 4;
/** EVS's documented maximum of disks one `ids` filter of `cloudvolumes/detail` may name. */
export const EVS_MAX_IDS_PER_QUERY = 60;
/** Stops a cloud that ignores `offset` and `marker` from paging forever (1000 pages of 1000 = a million disks). */
const MAX_PAGES = 1000;

export interface EvsOptions {
  readonly pageSize: number;
  readonly lookupConcurrency: number;
}

/** Where the next page starts: nothing (the first page), an offset, or the marker of a `next` link. */
type Cursor = { readonly offset?: number; readonly marker?: string };

/** The `ids` filter in the form EVS documents: `['id1','id2']`. */
export function idsFilterValue(ids: readonly string[]): string {
  return `[${ids.map((id) => `'${id}'`).join(',')}]`;
}

/** What one `ids` listing settled: the volumes it found, and every id it answered for (found or not). */
interface IdsAnswer {
  readonly found: ReadonlyMap<string, Volume>;
  readonly answered: ReadonlySet<string>;
}

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

  /** EVS endpoints seen refusing or ignoring the `ids` filter (older EVS versions): asked one id at a time. */
  const withoutIdsFilter = new Set<string>();

  const fetchPage = async (
    project: ProjectRef,
    filters: VolumeFilters & { readonly ids?: readonly VolumeId[] },
    limit: number,
    cursor: Cursor,
  ): Promise<ListedPage> => {
    const query: Array<readonly [string, string]> = [];
    if (filters.ids !== undefined) query.push(['ids', idsFilterValue(filters.ids)]);
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

  /**
   * Up to 60 volumes in one `cloudvolumes/detail` call with EVS's `ids` filter, which answers only
   * for the ids it was given and leaves out those that do not exist. An EVS that does not know the
   * filter either refuses it (400) or ignores it and lists other volumes: then only the asked-for
   * volumes it happened to list count as answered, the rest are looked up one by one, and the
   * endpoint is not asked with `ids` again. A page that says more follow (a next link, a larger
   * count) answers only for what it lists.
   */
  const listByIds = async (project: ProjectRef, ids: readonly VolumeId[]): Promise<IdsAnswer> => {
    const endpoint = base(project);
    if (withoutIdsFilter.has(endpoint)) return { found: new Map(), answered: new Set() };
    let page: ListedPage;
    try {
      page = await fetchPage(project, { ids }, ids.length, {});
    } catch (e) {
      if (!(e instanceof OtcHttpError && e.status === 400)) throw e;
      withoutIdsFilter.add(endpoint);
      return { found: new Map(), answered: new Set() };
    }
    const asked = new Set<string>(ids);
    const found = new Map(page.volumes.filter((v) => asked.has(v.id)).map((v) => [v.id, v] as const));
    const filtered = found.size === page.volumes.length;
    const whole = page.marker === undefined && (page.count === undefined || page.count <= page.volumes.length);
    if (filtered && whole) return { found, answered: asked };
    if (!filtered) withoutIdsFilter.add(endpoint);
    return { found, answered: new Set(found.keys()) };
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
     * Each ref that is a UUID is looked up by id (missing -> []): several at once in `ids` listings of
     * up to 60, so a request of 20 volumes costs one call, not 20. Any other ref is a name: listed
     * with EVS's `name` filter (which may match loosely) and kept only on an exact, case-sensitive match.
     */
    async findVolumesByRef(project, refs) {
      const unique = [...new Set(refs)];
      const names = unique.filter((ref) => !isUuid(ref));
      const ids = [...new Set(unique.filter(isUuid).map(asVolumeId))];
      // Found or known missing, by id; a name's exact matches. At most `lookupConcurrency` calls at once.
      const byId = new Map<string, Volume | undefined>();
      const byName = new Map<string, readonly Volume[]>();
      const steps: Array<() => Promise<void>> = [
        ...(ids.length < 2 ? [] : inBatches(ids, EVS_MAX_IDS_PER_QUERY)).map((batch) => async () => {
          const answer = await listByIds(project, batch);
          for (const id of answer.answered) byId.set(id, answer.found.get(id));
        }),
        ...names.map((name) => async () => {
          byName.set(
            name,
            (await directory.listAllVolumes(project, { name })).filter((v) => v.name === name),
          );
        }),
      ];
      await mapConcurrent(steps, options.lookupConcurrency, (step) => step());
      const unanswered = ids.filter((id) => !byId.has(id));
      await mapConcurrent(unanswered, options.lookupConcurrency, async (id) => {
        byId.set(id, await directory.getVolume(project, id));
      });
      return new Map(
        unique.map((ref): [string, readonly Volume[]] => {
          if (!isUuid(ref)) return [ref, byName.get(ref) ?? []];
          const volume = byId.get(asVolumeId(ref));
          return [ref, volume === undefined ? [] : [volume]];
        }),
      );
    },
  };
  return directory;
}
