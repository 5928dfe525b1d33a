import { z } from 'zod';

/** A `links` entry as Nova and Cinder send them (`servers_links`, `volumes_links`). */
export const linkSchema = z.object({ href: z.string(), rel: z.string() });
export type Link = z.infer<typeof linkSchema>;

/**
 * The `marker` of a list answer's `next` link, if it has one. Only the marker is taken: the link's
 * host and path are the service's internal view (the EVS docs' example points at
 * `volume.localdomain.com:8776/.../volumes/detail`), so the next page is asked of the endpoint the
 * bot was configured with, with the bot's own filters and page size.
 */
export function nextMarker(links: readonly Link[] | null | undefined): string | undefined {
  const next = (links ?? []).find((l) => l.rel === 'next');
  if (next === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(next.href, 'http://relative.invalid');
  } catch {
    return undefined;
  }
  const marker = url.searchParams.get('marker');
  return marker === null || marker === '' ? undefined : marker;
}
