import { HOOKS } from './listener-app';
import { INCIDENT, TEAM } from './flow-world';

let responses = 0;

/** A `/backup` slash command payload as Bolt's receiver parses it (see reference/slack/slash_command.*). */
export function slashCommand(
  text: string,
  who: { userId: string; teamId?: string; channelId?: string; channelName?: string },
): Record<string, string> {
  const teamId = who.teamId ?? TEAM;
  responses += 1;
  return {
    token: 'deprecated-verification-token',
    team_id: teamId,
    team_domain: 'example-ops',
    channel_id: who.channelId ?? INCIDENT,
    channel_name: who.channelName ?? 'inc-4711',
    user_id: who.userId,
    user_name: who.userId.toLowerCase(),
    command: '/backup',
    text,
    api_app_id: 'A0BACKUPBOT',
    response_url: `${HOOKS}/commands/${teamId}/${responses}/secret`,
    trigger_id: `${responses}.111.trigger`,
  };
}
