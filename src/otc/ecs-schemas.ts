import { z } from 'zod';
import { asServerId } from '../domain/ids';
import { linkSchema } from './paging';
import type { Server } from './types';

/**
 * ECS (Nova-compatible) response bodies: `GET /v2.1/{project_id}/servers` (id, name, links per
 * server) and `GET /v2.1/{project_id}/servers/{id}` (the full server; only id, name, status are
 * checked). Other fields pass through unchecked.
 */

export const serverListBodySchema = z.object({
  servers: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string(),
      links: z.array(linkSchema).nullish(),
    }),
  ),
  servers_links: z.array(linkSchema).nullish(),
});

export const serverGetBodySchema = z.object({
  server: z.object({
    id: z.string().min(1),
    name: z.string(),
    status: z.string().nullish(),
  }),
});

export function toServer(raw: { id: string; name: string; status?: string | null | undefined }): Server {
  return { id: asServerId(raw.id), name: raw.name, status: raw.status ?? undefined };
}
