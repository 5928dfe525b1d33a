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
