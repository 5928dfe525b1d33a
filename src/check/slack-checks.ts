import { BOT_SCOPES } from '../slack/scopes';
import {
  authTestProblem,
  isWebApiCallError,
  platformCode,
  slackErrorCode,
  unreachableProblem,
} from '../slack/slack-errors';
import { ErrorCode } from '@slack/web-api';
import { WebClient } from '@slack/web-api';
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config/load-config';

/** What auth.test said about the token, or the problem; the other Slack checks need a valid token. */
export type TokenCheck =
  | { readonly ok: true; readonly teamId: string; readonly problems: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

/** The token works (auth.test) and its workspace is one `slack.allowed_team_ids` lets in. */
export async function checkSlackToken(
  web: WebClient,
  allowedTeamIds: readonly string[] | undefined,
): Promise<TokenCheck> {
  let teamId: string;
  let teamName: string;
  let granted: readonly string[] | undefined;
  try {
    const auth = await web.auth.test();
    teamId = auth.team_id ?? '';
    teamName = auth.team ?? teamId;
    // Slack names the token's scopes in a header the client puts here; absent, nothing is said.
    granted = auth.response_metadata?.scopes;
  } catch (e) {
    return { ok: false, problems: [authTestProblem(e)] };
  }
  const missing = granted === undefined ? [] : BOT_SCOPES.filter((s) => !granted.includes(s));
  const scopes =
    missing.length === 0
      ? []
      : [
          `The bot token lacks the scope${missing.length === 1 ? '' : 's'} ${missing.join(', ')}: add ${missing.length === 1 ? 'it' : 'them'} ` +
            'under OAuth & Permissions (manifest.yml lists every scope the bot needs), then reinstall the app to the workspace.',
        ];
  if (allowedTeamIds === undefined || allowedTeamIds.includes(teamId)) return { ok: true, teamId, problems: scopes };
  return {
    ok: true,
    teamId,
    problems: [
      ...scopes,
      `The bot token belongs to workspace ${teamName} (${teamId}), which slack.allowed_team_ids ` +
        `(${allowedTeamIds.join(', ')}) does not list, so every request would be denied: add ${teamId} to ` +
        "slack.allowed_team_ids, or remove the setting to serve the token's own workspace.",
    ],
  };
}

/**
 * Socket Mode: the app-level token opens connections (apps.connections.open, which only hands out
 * a socket URL: nothing connects to it). A refused token stops `npm start` at its first step.
 */
export async function checkAppToken(
  appWeb: Pick<WebClient, 'apps'>,
): Promise<{ readonly problems: readonly string[]; readonly notes: readonly string[] }> {
  try {
    await appWeb.apps.connections.open();
    return { problems: [], notes: [] };
  } catch (e) {
    // Slack allows this call about once a minute (a bot in Socket Mode makes it at start): not a problem of the token.
    if (isWebApiCallError(e) && e.code === ErrorCode.RateLimitedError)
      return {
        problems: [],
        notes: [
          `Slack rate-limited apps.connections.open (about one call a minute), so the app-level token was not checked: run the check again in ${e.retryAfter} s.`,
        ],
      };
    const code = platformCode(e);
    if (code === undefined)
      return {
        problems: [unreachableProblem('apps.connections.open', e)],
        notes: [],
      };
    return {
      problems: [
        `Slack refused the app-level token (apps.connections.open: ${code}): set SLACK_APP_TOKEN to an app-level token ` +
          "(xapp-…) with the connections:write scope, from the app's Basic Information page (App-Level Tokens), " +
          'or unset it to run in HTTP mode.',
      ],
      notes: [],
    };
  }
}

/** The approvals channel exists, the bot can see it, and the bot is in it (cards are posted there). */
export async function checkApprovalsChannel(web: WebClient, channel: string): Promise<readonly string[]> {
  try {
    const info = await web.conversations.info({ channel });
    const c = info.channel;
    const label = c?.name === undefined ? channel : `#${c.name} (${channel})`;
    if (c?.is_archived === true)
      return [`The approvals channel ${label} is archived: unarchive it, or set approvals.channel to a live channel.`];
    if (c?.is_member !== true)
      return [
        `The bot is not a member of the approvals channel ${label}, so approval cards cannot be posted there: ` +
          'invite it (type /invite @<bot name> in that channel).',
      ];
    return [];
  } catch (e) {
    return [
      `The approvals channel ${channel} cannot be reached (conversations.info: ${slackErrorCode(e)}): set ` +
        'approvals.channel to the channel id (C…, from the channel details), and if the channel is private ' +
        'invite the bot first.',
    ];
  }
}

/**
 * Every user group handle the rules and approvers name exists in the workspace (usergroups.list),
 * in any letter case: the rules match handles so.
 */
export async function checkUsergroups(web: WebClient, handles: readonly string[]): Promise<readonly string[]> {
  const wanted = [...new Set(handles.map((h) => h.replace(/^@/, '')))];
  if (wanted.length === 0) return [];
  let known: Set<string>;
  try {
    const list = await web.usergroups.list({ include_disabled: false });
    known = new Set((list.usergroups ?? []).flatMap((g) => (g.handle === undefined ? [] : [g.handle.toLowerCase()])));
  } catch (e) {
    return [
      `The user groups named in the config cannot be listed (usergroups.list: ${slackErrorCode(e)}): grant the ` +
        'usergroups:read scope (see manifest.yml) and reinstall the app.',
    ];
  }
  return wanted
    .filter((h) => !known.has(h.toLowerCase()))
    .map(
      (h) =>
        `The user group @${h} named in the config does not exist in this workspace, so its rule or approvers ` +
        'never match: create the group, or correct the handle (without @) in the config.',
    );
}

/**
 * The check's Slack clients: the bot token's, and in Socket Mode the app-level token's, which
 * refuses to wait out a 429 (apps.connections.open allows about one call a minute) so the check
 * can say so rather than wait and then fail.
 */
export function checkClients(
  slack: Config['slack'],
  options: WebClientOptions,
): { readonly web: WebClient; readonly appWeb: WebClient | undefined } {
  const web = new WebClient(slack.botToken, options);
  const appWeb =
    slack.mode === 'socket' ? new WebClient(slack.appToken, { ...options, rejectRateLimitedCalls: true }) : undefined;
  return { web, appWeb };
}
