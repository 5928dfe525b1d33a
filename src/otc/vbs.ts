import type { PolicyId, VolumeId } from '../domain/ids';
import type { RequestAuthorizer } from './auth';
import { buildUrl, resolveEndpoint } from './endpoints';
import type { HttpCore } from './http';
import type { BackupPolicy, ProjectRef } from './types';
import { policyListBodySchema, resourcesBodySchema, toBackupPolicies } from './vbs-schemas';
import type { ResourcesBody } from './vbs-schemas';

export interface VbsApi {
  listPolicies(project: ProjectRef, signal?: AbortSignal): Promise<BackupPolicy[]>;
  associateChunk(
    project: ProjectRef,
    policyId: PolicyId,
    volumeIds: readonly VolumeId[],
    signal?: AbortSignal,
  ): Promise<{ body: ResourcesBody; attempts: number }>;
  disassociateChunk(
    project: ProjectRef,
    policyId: PolicyId,
    volumeIds: readonly VolumeId[],
    signal?: AbortSignal,
  ): Promise<{ body: ResourcesBody; attempts: number }>;
}

/** The three VBS v2 calls the bot makes, under `{vbs}/v2/{project_id}`. */
export function createVbsApi(http: HttpCore, vbsTemplate: string, authorizer: RequestAuthorizer): VbsApi {
  const base = (project: ProjectRef): string => resolveEndpoint(vbsTemplate, project.region);

  return {
    async listPolicies(project, signal) {
      const url = buildUrl(base(project), ['v2', project.id, 'backuppolicy']);
      const result = await http.call({
        method: 'GET',
        url,
        schema: policyListBodySchema,
        auth: { authorizer, project },
        signal,
      });
      return toBackupPolicies(result.value);
    },

    async associateChunk(project, policyId, volumeIds, signal) {
      const url = buildUrl(base(project), ['v2', project.id, 'backuppolicyresources']);
      // Retrying this POST (after a timeout, reset or 5xx) is safe: associating a disk with the policy
      // it is already in is a no-op in VBS, and a disk belongs to at most one policy, so a resend can
      // only reach the same end state. It never adds a disk twice or to a second policy.
      const result = await http.call({
        method: 'POST',
        url,
        body: {
          backup_policy_id: policyId,
          resources: volumeIds.map((id) => ({ resource_id: id, resource_type: 'volume' })),
        },
        schema: resourcesBodySchema,
        auth: { authorizer, project },
        signal,
      });
      return { body: result.value, attempts: result.attempts };
    },

    async disassociateChunk(project, policyId, volumeIds, signal) {
      const url = buildUrl(base(project), ['v2', project.id, 'backuppolicyresources', policyId, 'deleted_resources']);
      // Safe to resend too: removing a disk that is no longer in the policy changes nothing.
      const result = await http.call({
        method: 'POST',
        url,
        body: { resources: volumeIds.map((id) => ({ resource_id: id })) },
        schema: resourcesBodySchema,
        auth: { authorizer, project },
        signal,
      });
      return { body: result.value, attempts: result.attempts };
    },
  };
}
