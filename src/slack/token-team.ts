import type { WebClient } from '@slack/web-api';

/** The workspace the bot token belongs to, as `auth.test` names it (Bolt calls it at start too). */
export async function tokenTeamOf(client: WebClient): Promise<string> {
  const auth = await client.auth.test();
  if (auth.team_id === undefined || auth.team_id === '')
    throw new Error('auth.test named no workspace for the bot token; set slack.allowed_team_ids');
  return auth.team_id;
}
