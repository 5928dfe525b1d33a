import { createHmac } from 'node:crypto';

/**
 * What Slack sends for a slash command: the form body, and the v0 signature over
 * `v0:{X-Slack-Request-Timestamp}:{body}` with the app's signing secret (HMAC-SHA256, hex).
 */
export function slackSignature(signingSecret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** The headers of a signed POST to /slack/events, stamped `nowS` (seconds since the epoch). */
export function signedHeaders(signingSecret: string, body: string, nowS: number): Record<string, string> {
  const timestamp = String(Math.floor(nowS));
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': slackSignature(signingSecret, timestamp, body),
  };
}

export interface SlashCommand {
  readonly teamId: string;
  readonly userId: string;
  readonly userName: string;
  readonly channelId: string;
  readonly channelName: string;
  readonly text: string;
  readonly responseUrl: string;
  readonly triggerId: string;
  readonly command?: string;
}

/** A slash command's form body, with the fields Slack sends, in its order. */
export function slashCommandBody(cmd: SlashCommand): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: cmd.teamId,
    team_domain: 'example-ops',
    channel_id: cmd.channelId,
    channel_name: cmd.channelName,
    user_id: cmd.userId,
    user_name: cmd.userName,
    command: cmd.command ?? '/backup',
    text: cmd.text,
    api_app_id: 'A0BACKUPBOT',
    is_enterprise_install: 'false',
    response_url: cmd.responseUrl,
    trigger_id: cmd.triggerId,
  }).toString();
}
