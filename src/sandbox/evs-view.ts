import { createHash } from 'node:crypto';
import type { SandboxVolume } from './model';
import { volumeHost } from './model';

/** Renders a volume as EVS does (`cloudvolumes/detail` and `volumes/{id}` share the shape). */
export function renderVolume(volume: SandboxVolume, projectId: string, baseUrl: string, userId: string) {
  return {
    attachments: volume.attachments.map((a) => ({
      server_id: a.serverId,
      attachment_id: a.attachmentId,
      attached_at: a.attachedAt,
      host_name: null,
      volume_id: volume.id,
      device: a.device,
      id: volume.id,
    })),
    availability_zone: volume.availabilityZone,
    bootable: volume.bootable ? 'true' : 'false',
    created_at: volume.createdAt,
    description: volume.description,
    encrypted: false,
    id: volume.id,
    links: [
      { href: `${baseUrl}/v2/${projectId}/volumes/${volume.id}`, rel: 'self' },
      { href: `${baseUrl}/${projectId}/volumes/${volume.id}`, rel: 'bookmark' },
    ],
    metadata: { ...volume.metadata },
    name: volume.name,
    'os-vol-host-attr:host': volumeHost(volume),
    volume_image_metadata: volume.bootable ? { image_name: 'Standard_Ubuntu_22.04_latest' } : {},
    'os-vol-mig-status-attr:migstat': null,
    'os-vol-mig-status-attr:name_id': null,
    'os-vol-tenant-attr:tenant_id': projectId,
    'os-volume-replication:extended_status': null,
    replication_status: 'disabled',
    multiattach: false,
    size: volume.size,
    snapshot_id: null,
    source_volid: null,
    consistencygroup_id: null,
    status: volume.status,
    updated_at: volume.updatedAt,
    user_id: userId,
    volume_type: volume.volumeType,
    service_type: 'EVS',
    dedicated_storage_id: null,
    dedicated_storage_name: null,
    wwn: `688860300000${createHash('sha256').update(volume.id).digest('hex').slice(0, 20)}`,
  };
}
