import { randomBytes } from 'node:crypto';
import type { ApprovalInfo, BackupRequest, EpochMs, ExecutionOutcome } from '../../src/domain/backup-request';
import type { RequestId } from '../../src/domain/ids';
import { asPolicyId, asProjectId, asVolumeId, formatRequestId } from '../../src/domain/ids';
import type { NewRequest, RequestStore } from '../../src/store/request-store';

/** 2026-01-01T00:00:00Z: every test passes time explicitly, relative to this. */
export const T0: EpochMs = Date.UTC(2026, 0, 1);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const TEAM = 'T0TEAM0001';

export function newRequestId(): RequestId {
  return formatRequestId(randomBytes(8));
}

/** An immediately allowed request whose optional fields are all undefined. */
export function allowedRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  return {
    id: newRequestId(),
    teamId: TEAM,
    requesterId: 'U0ALICE01',
    channel: { id: 'C0INC4711', name: undefined },
    project: { name: 'prod', id: asProjectId('0f3c9d2a5b8e4c71a6d4e2f1b3c5a7d9'), region: 'eu-de', service: 'vbs' },
    action: 'associate',
    target: { kind: 'policy', id: asPolicyId('915d1fd8-63cb-4054-a2b0-2778210e3a75'), name: 'daily-7d' },
    moves: [],
    undoOf: undefined,
    thread: undefined,
    backupNow: false,
    volumes: [
      {
        id: asVolumeId('0f187b65-8d0e-4fc0-9096-3b55d330531e'),
        name: 'db-data-1',
        status: 'in-use',
        availabilityZone: 'eu-de-01',
        sizeGb: 100,
        serverId: undefined,
      },
    ],
    reason: undefined,
    decision: { verdict: 'allow', decidedBy: 'sre-oncall', reason: 'allowed by rule sre-oncall' },
    approval: undefined,
    createdAt: T0,
    state: 'allowed',
    ...overrides,
  };
}

export function approvalInfo(overrides: Partial<ApprovalInfo> = {}): ApprovalInfo {
  return {
    approvers: { users: ['U0BOB0001', 'U0CAROL01'], usergroups: ['S0SREONCALL'] },
    expiresAt: T0 + 24 * HOUR,
    remindAt: T0 + 4 * HOUR,
    remindedAt: undefined,
    decidedBy: undefined,
    decidedAt: undefined,
    comment: undefined,
    ...overrides,
  };
}

/** A request waiting for approval, with every optional field set. */
export function pendingRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  return allowedRequest({
    channel: { id: 'C0INC4711', name: 'inc-4711-db' },
    volumes: [
      {
        id: asVolumeId('0f187b65-8d0e-4fc0-9096-3b55d330531e'),
        name: 'db-data-1',
        status: 'in-use',
        availabilityZone: 'eu-de-01',
        sizeGb: 100,
        serverId: '6f0f4e4c-2b1e-4f0b-9a59-3b8e3d2c1a00',
      },
      {
        id: asVolumeId('a3b1c2d4-1111-4222-8333-944455556666'),
        name: 'db-data-2 "quoted" & <tagged> ü',
        status: 'available',
        availabilityZone: 'eu-de-02',
        sizeGb: 2048,
        serverId: undefined,
      },
    ],
    reason: 'INC-4711 db disks',
    decision: { verdict: 'require_approval', decidedBy: 'prod-needs-approval', reason: 'approval required by rule' },
    approval: approvalInfo(),
    state: 'pending_approval',
    ...overrides,
  });
}

export function outcome(overrides: Partial<ExecutionOutcome> = {}): ExecutionOutcome {
  return {
    added: [
      { volumeId: asVolumeId('0f187b65-8d0e-4fc0-9096-3b55d330531e'), availabilityZone: 'eu-de-01', pod: undefined },
    ],
    failed: [
      { volumeId: asVolumeId('a3b1c2d4-1111-4222-8333-944455556666'), code: undefined, message: 'disk status invalid' },
    ],
    startedAt: T0 + HOUR,
    finishedAt: T0 + HOUR + 5_000,
    ...overrides,
  };
}

/** What `create(request, …, now)` must store. */
export function expectedRecord(request: NewRequest, now: EpochMs): BackupRequest {
  return {
    ...request,
    outcome: undefined,
    rootMessage: undefined,
    approvalMessage: undefined,
    watch: undefined,
    updatedAt: now,
  };
}

/** Creates a request with a fresh dedupe key and returns the stored record. */
export async function createRequest(
  store: RequestStore,
  request: NewRequest,
  now: EpochMs = T0,
): Promise<BackupRequest> {
  const result = await store.requests.create(request, { key: `key-${request.id}`, windowMs: MINUTE }, now);
  if (!result.created) throw new Error(`fixture request ${request.id} was unexpectedly deduplicated`);
  return result.request;
}

/** Runs `count` calls spread over the given stores (round robin) all at once. */
export function concurrently<T>(
  stores: readonly RequestStore[],
  count: number,
  call: (store: RequestStore, i: number) => Promise<T>,
): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => call(stores[i % stores.length]!, i)));
}
