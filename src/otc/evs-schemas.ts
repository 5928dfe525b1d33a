import { z } from 'zod';
import { asServerId, asVolumeId } from '../domain/ids';
import { linkSchema } from './paging';
import type { Volume } from './types';

/**
 * EVS response bodies (`cloudvolumes/detail` and the Cinder-compatible `volumes/{id}`). Only what
 * the bot uses is checked; the many other fields pass through unchecked.
 */

const attachmentSchema = z.object({
  server_id: z.string().min(1),
  device: z.string().nullish(),
});

export const volumeBodySchema = z.object({
  id: z.string().min(1),
  /** Cinder allows unnamed volumes (null). */
  name: z.string().nullish(),
  status: z.string(),
  availability_zone: z.string(),
  size: z.number(),
  volume_type: z.string().nullish(),
  'os-vol-host-attr:host': z.string().nullish(),
  attachments: z.array(attachmentSchema).nullish(),
});

export const volumeListBodySchema = z.object({
  count: z.number().nullish(),
  volumes: z.array(volumeBodySchema),
  volumes_links: z.array(linkSchema).nullish(),
});

export const volumeGetBodySchema = z.object({ volume: volumeBodySchema });

export function toVolume(raw: z.infer<typeof volumeBodySchema>): Volume {
  return {
    id: asVolumeId(raw.id),
    name: raw.name ?? '',
    status: raw.status,
    availabilityZone: raw.availability_zone,
    sizeGb: raw.size,
    volumeType: raw.volume_type ?? undefined,
    host: raw['os-vol-host-attr:host'] ?? undefined,
    attachments: (raw.attachments ?? []).map((a) => ({
      serverId: asServerId(a.server_id),
      device: a.device ?? undefined,
    })),
  };
}
