import type { BackupRequest, RequestVolume } from '../../src/domain/backup-request';
import type { AuditEvent } from '../../src/domain/backup-request';
import type { PolicyId, ProjectId, RequestId, VolumeId } from '../../src/domain/ids';
import type { CheckedRequest } from '../../src/flow/check-request';

export const REQUESTER = 'U0ALICE001';
export const APPROVER = 'U0BOB00001';
export const CHANNEL = 'C0INC4711';

/** Every piece of text in a request that a person or the cloud chose. */
export interface ForeignText {
  readonly reason: string | undefined;
  readonly policyName: string;
  readonly projectName: string;
  readonly volumeName: string;
  readonly zone: string;
  readonly status: string;
  readonly comment: string;
  readonly cloudMessage: string;
}

export const PLAIN_TEXT: ForeignText = {
  reason: 'INC-4711',
  policyName: 'daily-7d',
  projectName: 'prod',
  volumeName: 'db-data-1',
  zone: 'eu-de-01',
  status: 'in-use',
  comment: 'looks fine',
  cloudMessage: 'The status of the disk is invalid.',
};

export function volumeId(i: number): VolumeId {
  return `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` as VolumeId;
}

function volume(text: ForeignText, i: number): RequestVolume {
  return {
    id: volumeId(i),
    name: text.volumeName,
    status: text.status,
    availabilityZone: text.zone,
    sizeGb: 10,
    serverId: undefined,
  };
}

/** A decided, finished request (one volume added, one failed) whose foreign text is `text`. */
export function sampleRequest(text: ForeignText, overrides: Partial<BackupRequest> = {}): BackupRequest {
  return {
    id: 'r-abcdefgh' as RequestId,
    teamId: 'T1',
    requesterId: REQUESTER,
    channel: { id: CHANNEL, name: 'inc-4711' },
    project: {
      name: text.projectName,
      id: '0123456789abcdef0123456789abcdef' as ProjectId,
      region: 'eu-de',
      service: 'vbs',
    },
    action: 'associate',
    target: { kind: 'policy', id: 'b1cb1816-7d85-457c-9f32-2a1422d00e17' as PolicyId, name: text.policyName },
    moves: [],
    undoOf: undefined,
    thread: undefined,
    backupNow: false,
    watch: undefined,
    volumes: [volume(text, 0), volume(text, 1)],
    reason: text.reason,
    decision: { verdict: 'require_approval', decidedBy: 'critical', reason: 'needs approval by rule critical' },
    state: 'partially_failed',
    approval: {
      approvers: { users: [APPROVER], usergroups: ['backup-admins'] },
      expiresAt: 3_600_000,
      remindAt: undefined,
      remindedAt: undefined,
      decidedBy: APPROVER,
      decidedAt: 60_000,
      comment: text.comment,
    },
    rootMessage: undefined,
    approvalMessage: undefined,
    outcome: {
      added: [{ volumeId: volumeId(0), availabilityZone: text.zone, pod: text.zone }],
      failed: [{ volumeId: volumeId(1), code: 'AutoBackup.0206', message: text.cloudMessage }],
      startedAt: 0,
      finishedAt: 5_000,
    },
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

/** What a preview or a dry run shows for the same request. */
export function sampleChecked(text: ForeignText): CheckedRequest {
  const request = sampleRequest(text);
  return {
    project: { name: text.projectName, id: request.project.id, region: 'eu-de', isDefault: true, service: 'vbs' },
    action: 'associate',
    moves: [],
    backupNow: false,
    target: {
      kind: 'policy',
      id: request.target.id,
      name: text.policyName,
      status: text.status,
      startTime: text.zone,
      timeZone: undefined,
      frequencyDays: 1,
      weekDays: undefined,
      retentionCount: 7,
      retentionDays: undefined,
      resourceCount: 0,
    },
    volumes: request.volumes,
    excluded: [volume(text, 2)],
    decision: {
      verdict: 'require_approval',
      decidedBy: 'critical',
      reason: `needs approval by rule critical: policy ${text.policyName} matches critical-*`,
    },
    notes: [`\`${text.volumeName}\` and \`${volumeId(0)}\` are the same volume; counted once.`],
    channelName: 'inc-4711',
  };
}

/** The audit trail of the sample request, with the foreign text where the store keeps it. */
export function sampleEvents(text: ForeignText): AuditEvent[] {
  const event = (kind: AuditEvent['kind'], actor: string, detail: Record<string, unknown>): AuditEvent => ({
    requestId: 'r-abcdefgh' as RequestId,
    teamId: 'T1',
    at: 0,
    actor,
    kind,
    detail,
  });
  return [
    event('received', REQUESTER, { volumes: [1, 2], policy: text.policyName, project: text.projectName }),
    event('decided', 'bot', { rule: 'critical', verdict: 'require_approval' }),
    event('approved', APPROVER, { comment: text.comment }),
    event('cloud_call', 'bot', { chunk: 0, added: 1, failed: 1, error: { otcCode: text.status } }),
    event('message_failed', 'bot', { kind: 'thread.summary', error: text.cloudMessage }),
  ];
}
