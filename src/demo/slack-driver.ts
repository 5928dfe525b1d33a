import { createHmac } from 'node:crypto';
import { checkSuggestionOptions } from './slack-stand-in/block-check';
import type { SlackStandIn } from './slack-stand-in/server';
import type { StandInView } from './slack-stand-in/state';

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

/**
 * What the bot answered. Slack waits three seconds for a 200; Bolt answers 404 when no listener
 * called ack() within them, so a status other than 200 means Slack would have shown an error.
 */
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
      trigger_id: this.options.standIn.newTriggerId(),
    }).toString();
  }

  async slashCommand(input: SlashCommandInput): Promise<SentRequest> {
    const responseUrl = this.options.standIn.newResponseUrl();
    const sent = await this.post(this.slashCommandBody(input, responseUrl));
    return { ...sent, responseId: responseUrl.slice(responseUrl.lastIndexOf('/') + 1) };
  }

  /**
   * Interactivity (block_actions, view_submission, block_suggestion): `payload=<json>`. Returns the
   * bot's status as it is (404 when nobody acked within three seconds); the callers that read an
   * answer (`submitView`, `suggest`) throw on anything but a 200.
   */
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
      trigger_id: this.options.standIn.newTriggerId(),
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
    values: ViewValues;
    teamId?: string;
    privateMetadata?: string;
  }): Promise<{ status: number; answer: Record<string, unknown> }> {
    const stored = this.view(input.viewId);
    const res = await this.interaction({
      type: 'view_submission',
      ...this.who(input.userId, input.teamId),
      api_app_id: 'A0BACKUPBOT',
      token: 'deprecated-verification-token',
      trigger_id: this.options.standIn.newTriggerId(),
      view: {
        ...stored.view,
        id: stored.id,
        hash: stored.hash,
        private_metadata: input.privateMetadata ?? stored.view['private_metadata'] ?? '',
        state: { values: input.values },
      },
    });
    if (res.status !== 200)
      throw new Error(
        `the bot answered the view_submission of ${stored.id} with HTTP ${res.status}${res.body ? ` (${res.body.slice(0, 200)})` : ''}: ` +
          'Slack needs a 200 within three seconds (Bolt answers 404 when no listener acked in time), ' +
          'so the person would see an error instead of an answer',
      );
    const answer = parseAnswer(res.body, `the view_submission of ${stored.id}`);
    if (answer['response_action'] === 'update' && typeof answer['view'] === 'object' && answer['view'] !== null) {
      this.options.standIn.applyViewUpdate(stored.id, answer['view'] as Record<string, unknown>);
    }
    return { status: res.status, answer };
  }

  private view(viewId: string): StandInView {
    const stored = this.options.standIn.state.views.get(viewId);
    if (stored === undefined) throw new Error(`no view ${viewId} is open`);
    return stored;
  }

  /** A global shortcut, as Slack sends it. */
  async shortcut(input: {
    userId: string;
    callbackId: string;
    teamId?: string;
  }): Promise<{ status: number; body: string }> {
    return this.interaction({
      type: 'shortcut',
      ...this.who(input.userId, input.teamId),
      token: 'deprecated-verification-token',
      callback_id: input.callbackId,
      trigger_id: this.options.standIn.newTriggerId(),
      action_ts: String(Date.now() / 1000),
    });
  }

  /**
   * Type-ahead in a modal's external select (block_suggestion); returns the options the bot answered.
   * Throws when Slack would show none of them: an answer other than 200, more than 100 options, or
   * an option beyond Slack's limits (text over 75 characters, value over 150).
   */
  async suggest(input: {
    userId: string;
    viewId: string;
    blockId: string;
    actionId: string;
    value: string;
    values?: ViewValues;
    teamId?: string;
    privateMetadata?: string;
  }): Promise<{ status: number; options: { text: { text: string }; value: string }[] }> {
    const stored = this.view(input.viewId);
    const res = await this.interaction({
      type: 'block_suggestion',
      ...this.who(input.userId, input.teamId),
      api_app_id: 'A0BACKUPBOT',
      token: 'deprecated-verification-token',
      action_id: input.actionId,
      block_id: input.blockId,
      value: input.value,
      container: { type: 'view', view_id: stored.id },
      view: {
        ...stored.view,
        id: stored.id,
        hash: stored.hash,
        private_metadata: input.privateMetadata ?? stored.view['private_metadata'] ?? '',
        state: { values: input.values ?? {} },
      },
    });
    if (res.status !== 200)
      throw new Error(
        `the bot answered the block_suggestion for ${input.actionId} with HTTP ${res.status}: ` +
          'Slack needs a 200 within three seconds, else the menu shows no options',
      );
    const parsed = parseAnswer(res.body, `the block_suggestion for ${input.actionId}`) as {
      options?: { text: { text: string }; value: string }[];
    };
    const problems = checkSuggestionOptions(parsed.options);
    if (problems.length > 0)
      throw new Error(`Slack would refuse the options the bot answered for ${input.actionId}: ${problems.join('; ')}`);
    return { status: res.status, options: parsed.options ?? [] };
  }

  /** A change in a modal's input with dispatch_action (block_actions from a view), carrying the whole state. */
  async changeView(input: {
    userId: string;
    viewId: string;
    blockId: string;
    actionId: string;
    action: Record<string, unknown>;
    values: ViewValues;
    teamId?: string;
  }): Promise<{ status: number; body: string }> {
    const stored = this.view(input.viewId);
    return this.interaction({
      type: 'block_actions',
      ...this.who(input.userId, input.teamId),
      api_app_id: 'A0BACKUPBOT',
      token: 'deprecated-verification-token',
      container: { type: 'view', view_id: stored.id },
      trigger_id: this.options.standIn.newTriggerId(),
      view: { ...stored.view, id: stored.id, hash: stored.hash, state: { values: input.values } },
      actions: [
        { action_id: input.actionId, block_id: input.blockId, action_ts: String(Date.now() / 1000), ...input.action },
      ],
    });
  }

  /** An Events API delivery (JSON), e.g. app_home_opened; `retryNum` adds Slack's retry headers. */
  async event(
    event: Record<string, unknown>,
    options: { teamId?: string; retryNum?: number } = {},
  ): Promise<{ status: number; body: string }> {
    const body = JSON.stringify({
      token: 'deprecated-verification-token',
      team_id: options.teamId ?? this.options.standIn.state.workspace.teamId,
      api_app_id: 'A0BACKUPBOT',
      event: { ...event, event_ts: String(Date.now() / 1000) },
      type: 'event_callback',
      event_id: `Ev${Date.now()}`,
      event_time: Math.floor(Date.now() / 1000),
    });
    const timestamp = String(this.now());
    const res = await fetch(`${this.options.botUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signSlackRequest(this.options.signingSecret, timestamp, body),
        ...(options.retryNum !== undefined && {
          'x-slack-retry-num': String(options.retryNum),
          'x-slack-retry-reason': 'http_timeout',
        }),
      },
      body,
    });
    return { status: res.status, body: await res.text() };
  }
}

/** The bot's JSON answer to an interaction (an empty body is an empty answer). */
function parseAnswer(body: string, what: string): Record<string, unknown> {
  if (body === '') return {};
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new Error(`the bot answered ${what} with a body that is not JSON: ${body.slice(0, 200)}`);
  }
}

/** A modal's `state.values`: block id -> action id -> value, as Slack sends them. */
export type ViewValues = Record<string, Record<string, Record<string, unknown>>>;
