import { parseRequestId } from '../domain/ids';
import type { RequestId } from '../domain/ids';

/**
 * The workspace of a signed payload. `team` is null on org-wide (Enterprise Grid) installs; then
 * the user's `team_id` says it. An empty id matches no workspace and no request.
 */
export function teamIdOf(body: {
  team?: { id?: string } | null;
  user?: { team_id?: string } | null;
  team_id?: string;
}): string {
  return body.team?.id ?? body.user?.team_id ?? body.team_id ?? '';
}

/**
 * The request a click or a modal is about, when its payload names one: a button's value (Approve,
 * Deny, Cancel, Undo) or a modal's private_metadata (the decision modal, the request form).
 */
export function requestIdIn(body: unknown): RequestId | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const actions: unknown = Reflect.get(body, 'actions');
  if (Array.isArray(actions)) {
    const first: unknown = (actions as unknown[])[0];
    const value: unknown = first !== null && typeof first === 'object' ? Reflect.get(first, 'value') : undefined;
    // A button says it; a select in a modal carries no value, and the modal's metadata says it.
    if (typeof value === 'string') return parseRequestId(value);
  }
  const view: unknown = Reflect.get(body, 'view');
  const metadata: unknown =
    view !== null && typeof view === 'object' ? Reflect.get(view, 'private_metadata') : undefined;
  return typeof metadata === 'string' ? parseRequestId(metadata) : undefined;
}
