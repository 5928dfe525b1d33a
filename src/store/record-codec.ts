/**
 * Row <-> record mapping of requests, shared by both stores (outbox, audit and draft rows are in
 * row-codecs.ts). JSON drops `undefined`, so every record is rebuilt field by field on
 * the way out: a stored record reads back with exactly the keys it was written with.
 */
import type { AccessDecision } from '../domain/access-rules';
import type {
  ApprovalInfo,
  BackupRequest,
  BackupNowResult,
  BackupService,
  BackupWatch,
  EpochMs,
  ExecutionOutcome,
  MessageRef,
  RequestAction,
  RequestVolume,
  TargetRef,
  VolumeMove,
} from '../domain/backup-request';
import type { PolicyId, RequestId } from '../domain/ids';
import { isRequestState } from '../domain/request-state';
import type { Json, Nullable } from './json-column';
import { encodeJson, encodeOptionalJson, orUndefined, parseJson } from './json-column';
import type { Transition } from '../domain/request-state';
import type { NewRequest, TransitionPatch } from './request-store';
import type { SqlParams } from './sql-runner';

export interface RequestRow {
  readonly id: string;
  readonly team_id: string;
  readonly requester_id: string;
  readonly state: string;
  readonly created_at: number;
  readonly updated_at: number;
  readonly expires_at: Nullable<number>;
  readonly remind_at: Nullable<number>;
  readonly reminded_at: Nullable<number>;
  readonly body: Json<StoredBodyAnyVersion>;
  readonly approval: Nullable<Json<StoredApproval>>;
  readonly root_message: Nullable<Json<MessageRef>>;
  readonly approval_message: Nullable<Json<MessageRef>>;
  readonly outcome: Nullable<Json<ExecutionOutcome>>;
  /** Added by migration 7; absent on rows read through an older select list. */
  readonly watch?: Nullable<Json<BackupWatch>>;
  /** Since migration 6: the workflow step that made the request, and its token until the step was told. */
  readonly step_execution_id?: Nullable<string>;
  readonly step_token?: Nullable<string>;
}

/** The immutable rest of the record, kept as JSON in `requests.body`. */
type StoredBody = Pick<
  BackupRequest,
  | 'channel'
  | 'project'
  | 'action'
  | 'target'
  | 'volumes'
  | 'moves'
  | 'undoOf'
  | 'thread'
  | 'backupNow'
  | 'reason'
  | 'decision'
>;
/**
 * A body as stored by any version: rows written before CBR and undo have `policy` instead of
 * `target`, no action, moves, undo or thread, and a project without its service (all VBS).
 */
type StoredBodyAnyVersion = Omit<
  StoredBody,
  'project' | 'action' | 'target' | 'moves' | 'undoOf' | 'thread' | 'backupNow'
> & {
  readonly backupNow?: boolean;
  readonly project: Omit<StoredBody['project'], 'service'> & { readonly service?: BackupService };
  readonly action?: RequestAction;
  readonly target?: TargetRef;
  readonly policy?: { readonly id: PolicyId; readonly name: string };
  readonly moves?: readonly VolumeMove[];
  readonly undoOf?: RequestId | null;
  readonly thread?: MessageRef | null;
};
/** Approval fields not held in columns (expires_at, remind_at, reminded_at are). */
type StoredApproval = Pick<ApprovalInfo, 'approvers' | 'decidedBy' | 'decidedAt' | 'comment'>;

export interface ApprovalColumns {
  readonly approval: string | null;
  readonly expiresAt: number | null;
  readonly remindAt: number | null;
  readonly remindedAt: number | null;
}

/** The parameters of the insert of a new request, in both dialects (a new column is added here once). */
export function insertParams(request: NewRequest, now: EpochMs): SqlParams {
  return {
    id: request.id,
    teamId: request.teamId,
    requesterId: request.requesterId,
    state: request.state,
    createdAt: request.createdAt,
    updatedAt: now,
    body: encodeBody(request),
    ...encodeApproval(request.approval),
    stepExecutionId: request.workflowStep?.executionId ?? null,
    stepToken: request.workflowStep?.token ?? null,
  };
}

/** One row per volume of a new request: it holds them until it is final (open_request_volumes). */
export function openVolumeParams(request: NewRequest): SqlParams[] {
  return request.volumes.map((v) => ({ id: request.id, teamId: request.teamId, volumeId: v.id }));
}

/** The parameters of a compare-and-set transition, in both dialects. */
export function transitionParams(id: RequestId, step: Transition, patch: TransitionPatch, now: EpochMs): SqlParams {
  return {
    id,
    from: step.from,
    to: step.to,
    now,
    hasApproval: patch.approval === undefined ? 0 : 1,
    ...encodeApproval(patch.approval),
    outcome: encodeOptionalJson(patch.outcome),
    ...watchParams(patch.watch),
    owner: patch.runner?.owner ?? null,
    leaseUntil: patch.runner?.leaseUntil ?? null,
    heldBy: patch.heldBy ?? null,
  };
}

/** The parameters that record where a request's messages are (each is set once). */
export function setMessagesParams(
  id: RequestId,
  messages: { readonly root?: MessageRef; readonly approval?: MessageRef },
  now: EpochMs,
): SqlParams {
  return { id, root: encodeMessageRef(messages.root), approval: encodeMessageRef(messages.approval), now };
}

export function encodeBody(request: NewRequest): string {
  const body: StoredBody = {
    channel: request.channel,
    project: request.project,
    action: request.action,
    target: request.target,
    volumes: request.volumes,
    moves: request.moves,
    undoOf: request.undoOf,
    thread: request.thread,
    backupNow: request.backupNow,
    reason: request.reason,
    decision: request.decision,
  };
  return encodeJson(body);
}

export function encodeApproval(approval: ApprovalInfo | undefined): ApprovalColumns {
  if (approval === undefined) return { approval: null, expiresAt: null, remindAt: null, remindedAt: null };
  const stored: StoredApproval = {
    approvers: approval.approvers,
    decidedBy: approval.decidedBy,
    decidedAt: approval.decidedAt,
    comment: approval.comment,
  };
  return {
    approval: encodeJson(stored),
    expiresAt: approval.expiresAt,
    remindAt: approval.remindAt ?? null,
    remindedAt: approval.remindedAt ?? null,
  };
}

/** A message reference as stored: only its two fields, or null when absent. */
export function encodeMessageRef(ref: MessageRef | undefined): string | null {
  return ref === undefined ? null : encodeJson({ channel: ref.channel, ts: ref.ts });
}

function decodeMessageRef(value: Nullable<Json<MessageRef>>): MessageRef | undefined {
  if (value === null) return undefined;
  const ref = parseJson(value);
  return { channel: ref.channel, ts: ref.ts };
}

function decodeVolume(volume: RequestVolume): RequestVolume {
  return {
    id: volume.id,
    name: volume.name,
    status: volume.status,
    availabilityZone: volume.availabilityZone,
    sizeGb: volume.sizeGb,
    serverId: orUndefined(volume.serverId),
  };
}

function decodeDecision(decision: AccessDecision): AccessDecision {
  return { verdict: decision.verdict, decidedBy: decision.decidedBy, reason: decision.reason };
}

function decodeApproval(row: RequestRow): ApprovalInfo | undefined {
  if (row.approval === null) return undefined;
  const stored = parseJson(row.approval);
  return {
    approvers: { users: [...stored.approvers.users], usergroups: [...stored.approvers.usergroups] },
    expiresAt: row.expires_at ?? 0,
    remindAt: orUndefined(row.remind_at),
    remindedAt: orUndefined(row.reminded_at),
    decidedBy: orUndefined(stored.decidedBy),
    decidedAt: orUndefined(stored.decidedAt),
    comment: orUndefined(stored.comment),
  };
}

function decodeOutcome(value: Nullable<Json<ExecutionOutcome>>): ExecutionOutcome | undefined {
  if (value === null) return undefined;
  const outcome = parseJson(value);
  return {
    added: outcome.added.map((a) => ({
      volumeId: a.volumeId,
      availabilityZone: orUndefined(a.availabilityZone),
      pod: orUndefined(a.pod),
      ...(a.movedFrom !== undefined && { movedFrom: a.movedFrom }),
      ...(a.already === true && { already: true }),
    })),
    failed: outcome.failed.map((f) => ({
      volumeId: f.volumeId,
      code: orUndefined(f.code),
      message: orUndefined(f.message),
    })),
    ...(outcome.backupNow !== undefined && { backupNow: decodeBackupNow(outcome.backupNow) }),
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
  };
}

function decodeBackupNow(b: BackupNowResult): BackupNowResult {
  if (!b.started) return { started: false, code: b.code, message: b.message };
  const skipped = b.skipped?.map((s) => ({ volumeId: s.volumeId, code: s.code, message: s.message }));
  return { started: true, at: b.at, ...(skipped !== undefined && skipped.length > 0 && { skipped }) };
}

/** A watch as stored: every optional field rebuilt, so the record reads back with the keys it was written with. */
function decodeWatch(w: BackupWatch): BackupWatch {
  return {
    since: w.since,
    deadline: w.deadline,
    nextRunAt: orUndefined(w.nextRunAt),
    volumeIds: [...w.volumeIds],
    found: w.found.map((f) => ({
      volumeId: f.volumeId,
      status: f.status,
      cloudStatus: f.cloudStatus,
      name: orUndefined(f.name),
      at: orUndefined(f.at),
      message: orUndefined(f.message),
    })),
    checks: w.checks,
    ...(w.failedLooks !== undefined && w.failedLooks > 0 && { failedLooks: w.failedLooks }),
    nextCheckAt: orUndefined(w.nextCheckAt),
    closed: orUndefined(w.closed),
  };
}

/** The watch columns of a save: the watch, and when to look next (null once closed: out of the index). */
export function watchParams(watch: BackupWatch | undefined): { watch: string | null; watchNextAt: number | null } {
  if (watch === undefined) return { watch: null, watchNextAt: null };
  return { watch: encodeJson(watch), watchNextAt: watch.closed === undefined ? (watch.nextCheckAt ?? null) : null };
}

function decodeTarget(id: string, body: StoredBodyAnyVersion): TargetRef {
  if (body.target !== undefined)
    return {
      kind: body.target.kind,
      id: body.target.id,
      name: body.target.name,
      ...(body.target.schedule !== undefined && { schedule: body.target.schedule }),
    };
  if (body.policy !== undefined) return { kind: 'policy', id: body.policy.id, name: body.policy.name };
  throw new Error(`request ${id} has no target in the store`);
}

export function decodeRequest(row: RequestRow): BackupRequest {
  if (!isRequestState(row.state)) throw new Error(`request ${row.id} has an unknown state in the store`);
  const body = parseJson(row.body);
  return {
    id: row.id as RequestId,
    teamId: row.team_id,
    requesterId: row.requester_id,
    channel: { id: body.channel.id, name: orUndefined(body.channel.name) },
    project: {
      name: body.project.name,
      id: body.project.id,
      region: body.project.region,
      service: body.project.service ?? 'vbs',
    },
    action: body.action ?? 'associate',
    target: decodeTarget(row.id, body),
    volumes: body.volumes.map(decodeVolume),
    moves: (body.moves ?? []).map((m) => ({ volumeId: m.volumeId, vault: { id: m.vault.id, name: m.vault.name } })),
    undoOf: orUndefined(body.undoOf),
    thread:
      body.thread === undefined || body.thread === null
        ? undefined
        : { channel: body.thread.channel, ts: body.thread.ts },
    backupNow: body.backupNow === true,
    watch: row.watch === undefined || row.watch === null ? undefined : decodeWatch(parseJson(row.watch)),
    reason: orUndefined(body.reason),
    decision: decodeDecision(body.decision),
    state: row.state,
    approval: decodeApproval(row),
    rootMessage: decodeMessageRef(row.root_message),
    approvalMessage: decodeMessageRef(row.approval_message),
    outcome: decodeOutcome(row.outcome),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...(typeof row.step_execution_id === 'string' && {
      workflowStep: { executionId: row.step_execution_id, token: orUndefined(row.step_token) },
    }),
  };
}
