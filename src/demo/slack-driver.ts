import { createHmac } from 'node:crypto';
import type { SlackStandIn } from './slack-stand-in/server';

/** Sends what Slack sends: signed form posts to the bot's /slack/events. */
export interface DriverOptions {
  readonly botUrl: string;
  readonly signingSecret: string;
  readonly standIn: SlackStandIn;
  /** Seconds since the epoch for X-Slack-Request-Timestamp (default: now). */
  readonly nowS?: () => number;
}

export interface SlashCommandInput {
  readonly userId: string;
  readonly channelId: string;
  readonly text: string;
  readonly userName?: string;
  readonly channelName?: string;
  readonly teamId?: string;
  readonly command?: string;
}

export interface SentRequest {
  readonly status: number;
  readonly body: string;
  /** The response_url id; replies to it land in standIn.state.responses with this id. */
  readonly responseId: string;
}

export function signSlackRequest(signingSecret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export class SlackDriver {
  constructor(private readonly options: DriverOptions) {}

  private now(): number {
    return this.options.nowS ? this.options.nowS() : Math.floor(Date.now() / 1000);
  }

  /** Posts a form body with a valid signature, or with the given overrides for attack tests. */
  async post(
    body: string,
    overrides: { timestamp?: string; signature?: string; contentType?: string } = {},
  ): Promise<{ status: number; body: string }> {
    const timestamp = overrides.timestamp ?? String(this.now());
    const res = await fetch(`${this.options.botUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': overrides.contentType ?? 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': overrides.signature ?? signSlackRequest(this.options.signingSecret, timestamp, body),
      },
      body,
    });
    return { status: res.status, body: await res.text() };
  }

  slashCommandBody(input: SlashCommandInput, responseUrl: string): string {
    const ws = this.options.standIn.state.workspace;
    const channel = ws.channels.find((c) => c.id === input.channelId);
    const user = ws.users.find((u) => u.id === input.userId);
    return new URLSearchParams({
      token: 'deprecated-verification-token',
      team_id: input.teamId ?? ws.teamId,
      team_domain: 'example-ops',
      channel_id: input.channelId,
      channel_name: input.channelName ?? (channel?.isPrivate ? 'privategroup' : (channel?.name ?? 'unknown')),
      user_id: input.userId,
      user_name: input.userName ?? user?.name ?? 'someone',
      command: input.command ?? '/backup',
      text: input.text,
      api_app_id: 'A0BACKUPBOT',
      is_enterprise_install: 'false',
      response_url: responseUrl,
      trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e9)}.trigger`,
    }).toString();
  }

  async slashCommand(input: SlashCommandInput): Promise<SentRequest> {
    const responseUrl = this.options.standIn.newResponseUrl();
    const sent = await this.post(this.slashCommandBody(input, responseUrl));
    return { ...sent, responseId: responseUrl.slice(responseUrl.lastIndexOf('/') + 1) };
  }

  /** Interactivity (block_actions, view_submission, block_suggestion): `payload=<json>`. */
  async interaction(payload: Record<string, unknown>): Promise<{ status: number; body: string }> {
    return this.post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  private who(
    userId: string,
    teamId?: string,
  ): { team: { id: string; domain: string }; user: { id: string; username: string; name: string; team_id: string } } {
    const ws = this.options.standIn.state.workspace;
    const name = ws.users.find((u) => u.id === userId)?.name ?? 'someone';
    const team = teamId ?? ws.teamId;
    return { team: { id: team, domain: 'example-ops' }, user: { id: userId, username: name, name, team_id: team } };
  }

  /** A click on a button of a message, as Slack sends it (block_actions). `value` is what the button carries. */
  async clickButton(input: {
    userId: string;
    channelId: string;
    messageTs: string;
    actionId: string;
    value: string;
    teamId?: string;
  }): Promise<SentRequest> {
    const responseUrl = this.options.standIn.newResponseUrl();
    const sent = await this.interaction({
      type: 'block_actions',
      ...this.who(input.userId, input.teamId),
      api_app_id: 'A0BACKUPBOT',
      token: 'deprecated-verification-token',
      container: { type: 'message', message_ts: input.messageTs, channel_id: input.channelId, is_ephemeral: false },
      trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e9)}.trigger`,
      channel: { id: input.channelId, name: 'channel' },
      message: { ts: input.messageTs, type: 'message' },
      response_url: responseUrl,
      actions: [
        {
          action_id: input.actionId,
          block_id: 'b',
          type: 'button',
          value: input.value,
          action_ts: String(Date.now() / 1000),
        },
      ],
    });
    return { ...sent, responseId: responseUrl.slice(responseUrl.lastIndexOf('/') + 1) };
  }

  /**
   * Submits a modal as Slack would (view_submission) with the given input values, and applies a
   * `response_action: update` answer to the stand-in's copy of the view. Returns the bot's answer.
   */
  async submitView(input: {
    userId: string;
    viewId: string;
    values: Record<string, Record<string, { type: string; value?: string | null }>>;
    teamId?: string;
    privateMetadata?: string;
  }): Promise<{ status: number; answer: Record<string, unknown> }> {
    const stored = this.options.standIn.state.views.get(input.viewId);
    if (stored === undefined) throw new Error(`no view ${input.viewId} is open`);
    const res = await this.interaction({
      type: 'view_submission',
      ...this.who(input.userId, input.teamId),
      api_app_id: 'A0BACKUPBOT',
      token: 'deprecated-verification-token',
      trigger_id: `${Date.now()}.${Math.floor(Math.random() * 1e9)}.trigger`,
      view: {
        ...stored.view,
        id: stored.id,
        hash: stored.hash,
        private_metadata: input.privateMetadata ?? stored.view['private_metadata'] ?? '',
        state: { values: input.values },
      },
    });
    const answer = res.body === '' ? {} : (JSON.parse(res.body) as Record<string, unknown>);
    if (answer['response_action'] === 'update' && typeof answer['view'] === 'object' && answer['view'] !== null) {
      this.options.standIn.applyViewUpdate(stored.id, answer['view'] as Record<string, unknown>);
    }
    return { status: res.status, answer };
  }
}
