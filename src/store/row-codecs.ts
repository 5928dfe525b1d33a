/**
 * Row <-> record mapping of what surrounds a request (its outbox messages, audit trail and draft),
 * shared by both stores; like the request codec, every record is rebuilt field by field on the way out.
 */
import type { MessageIntent } from '../domain/message-intent';
import { joinIntent, splitIntent } from '../domain/message-intent';
import { redactSecrets } from '../domain/redact';
import type { AuditEvent, AuditKind } from '../domain/backup-request';
import type { RequestId } from '../domain/ids';
import type { Json, Nullable } from './json-column';
import { encodeJson, orUndefined, parseJson } from './json-column';
import type { OutboxMessage, RequestDraft } from './request-store';
import type { SqlParams } from './sql-runner';

export interface OutboxRow {
  readonly id: number;
  readonly request_id: string;
  readonly kind: string;
  readonly payload: Json<Record<string, unknown>>;
  readonly attempts: number;
  readonly claims: number;
  readonly next_attempt_at: number;
  readonly created_at: number;
  readonly last_error: Nullable<string>;
  /** Only in a claim's answer: whether someone else's (expired) claim was taken over. */
  readonly taken_over?: boolean | number;
}

export interface AuditRow {
  readonly request_id: string;
  readonly team_id: string;
  readonly at: number;
  readonly actor: string;
  readonly kind: string;
  readonly detail: Json<Record<string, unknown>>;
}

export function decodeOutbox(row: OutboxRow): OutboxMessage {
  return {
    id: row.id,
    requestId: row.request_id as RequestId,
    intent: joinIntent(row.kind, parseJson(row.payload)) ?? { kind: 'unreadable', stored: row.kind },
    attempts: row.attempts,
    claims: row.claims,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    lastError: orUndefined(row.last_error),
    ...(row.taken_over !== undefined && { takenOver: row.taken_over === true || row.taken_over === 1 }),
  };
}

/** An intent as the outbox stores it: its kind in a column, the rest as JSON. */
export function encodeIntent(intent: MessageIntent): { readonly kind: string; readonly payload: string } {
  const { kind, payload } = splitIntent(intent);
  return { kind, payload: encodeJson(payload) };
}

/** The parameters of an audit entry's insert, in both dialects. */
export function auditParams(event: AuditEvent): SqlParams {
  const { requestId, teamId, at, actor, kind } = event;
  return { requestId, teamId, at, actor, kind, detail: encodeJson(event.detail) };
}

export function decodeAudit(row: AuditRow): AuditEvent {
  return {
    requestId: row.request_id as RequestId,
    teamId: row.team_id,
    at: row.at,
    actor: row.actor,
    kind: row.kind as AuditKind,
    detail: parseJson(row.detail),
  };
}

/** Longest `last_error` kept for an outbox message. */
export const MAX_ERROR_LENGTH = 2000;

/** An outbox message's last error as stored: secrets masked, bounded. */
export function encodeLastError(error: string): string {
  return redactSecrets(error).slice(0, MAX_ERROR_LENGTH);
}

export interface DraftRow {
  readonly id: string;
  readonly team_id: string;
  readonly user_id: string;
  readonly channel_id: string | null;
  readonly created_at: number;
  readonly expires_at: number;
}

/** The parameters of a draft's insert, in both dialects. */
export function draftParams(draft: RequestDraft): SqlParams {
  return { ...draft, channelId: draft.channelId ?? null };
}

export function decodeDraft(row: DraftRow): RequestDraft {
  return {
    id: row.id as RequestId,
    teamId: row.team_id,
    userId: row.user_id,
    channelId: row.channel_id ?? undefined,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
