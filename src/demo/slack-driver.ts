import { createHmac } from 'node:crypto';
import type { SuggestionOption } from './slack-answers';
import { readSuggestionOptions, readViewSubmissionAnswer, updatedView } from './slack-answers';
import type {
  ChangeViewInput,
  ClickButtonInput,
  FunctionExecutedInput,
  InteractionUser,
  ShortcutInput,
  SubmitViewInput,
  SuggestInput,
} from './slack-payloads';
import {
  blockSuggestionPayload,
  buttonClickPayload,
  eventCallbackBody,
  functionExecutedEvent,
  interactionUser,
  shortcutPayload,
  viewChangePayload,
  viewSubmissionPayload,
} from './slack-payloads';
import type { SlackStandIn } from './slack-stand-in/server';
import type { StandInView } from './slack-stand-in/state';
import type { StandInStepRun } from './slack-stand-in/steps';

export type { FunctionExecutedInput, ProtectStepFields, ViewValues } from './slack-payloads';

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

  /** Slack's signature of a body sent at `timestamp`, as this driver's posts carry it (for replay tests). */
  signature(timestamp: string, body: string): string {
    return signSlackRequest(this.options.signingSecret, timestamp, body);
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
        'x-slack-signature': overrides.signature ?? this.signature(timestamp, body),
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

  private who(userId: string, teamId?: string): InteractionUser {
    return interactionUser(this.options.standIn.state.workspace, userId, teamId);
  }

  /** A click on a button of a message, as Slack sends it (block_actions). `value` is what the button carries. */
  async clickButton(input: ClickButtonInput): Promise<SentRequest> {
    const responseUrl = this.options.standIn.newResponseUrl();
    const who = this.who(input.userId, input.teamId);
    const triggerId = this.options.standIn.newTriggerId();
    const sent = await this.interaction(buttonClickPayload(who, triggerId, responseUrl, input));
    return { ...sent, responseId: responseUrl.slice(responseUrl.lastIndexOf('/') + 1) };
  }

  /**
   * Submits a modal as Slack would (view_submission) with the given input values, and applies a
   * `response_action: update` answer to the stand-in's copy of the view. Returns the bot's answer.
   */
  async submitView(input: SubmitViewInput): Promise<{ status: number; answer: Record<string, unknown> }> {
    const stored = this.view(input.viewId);
    const who = this.who(input.userId, input.teamId);
    const res = await this.interaction(viewSubmissionPayload(stored, who, this.options.standIn.newTriggerId(), input));
    const answer = readViewSubmissionAnswer(stored, res);
    const view = updatedView(answer);
    if (view !== undefined) this.options.standIn.applyViewUpdate(stored.id, view);
    return { status: res.status, answer };
  }

  private view(viewId: string): StandInView {
    const stored = this.options.standIn.state.views.get(viewId);
    if (stored === undefined) throw new Error(`no view ${viewId} is open`);
    return stored;
  }

  /** A global shortcut, as Slack sends it. */
  async shortcut(input: ShortcutInput): Promise<{ status: number; body: string }> {
    const who = this.who(input.userId, input.teamId);
    return this.interaction(shortcutPayload(who, this.options.standIn.newTriggerId(), input));
  }

  /**
   * Type-ahead in a modal's external select (block_suggestion); returns the options the bot answered.
   * Throws when Slack would show none of them: an answer other than 200, more than 100 options, or
   * an option beyond Slack's limits (text over 75 characters, value over 150).
   */
  async suggest(input: SuggestInput): Promise<{ status: number; options: SuggestionOption[] }> {
    const stored = this.view(input.viewId);
    const res = await this.interaction(blockSuggestionPayload(stored, this.who(input.userId, input.teamId), input));
    return { status: res.status, options: readSuggestionOptions(input.actionId, res) };
  }

  /** A change in a modal's input with dispatch_action (block_actions from a view), carrying the whole state. */
  async changeView(input: ChangeViewInput): Promise<{ status: number; body: string }> {
    const stored = this.view(input.viewId);
    const who = this.who(input.userId, input.teamId);
    return this.interaction(viewChangePayload(stored, who, this.options.standIn.newTriggerId(), input));
  }

  /**
   * Someone runs a workflow with the "Protect volumes" step: Slack starts a run (the stand-in issues
   * its execution id and token) and sends `function_executed`. Returns the bot's answer and the run,
   * whose completion lands in `standIn.state.steps`.
   */
  async functionExecuted(input: FunctionExecutedInput): Promise<{ status: number; body: string; run: StandInStepRun }> {
    const run = input.run ?? this.options.standIn.state.steps.start();
    const sent = await this.event(functionExecutedEvent(run, input), {
      ...(input.teamId !== undefined && { teamId: input.teamId }),
      ...(input.retryNum !== undefined && { retryNum: input.retryNum }),
    });
    return { ...sent, run };
  }

  /** An Events API delivery (JSON), e.g. app_home_opened; `retryNum` adds Slack's retry headers. */
  async event(
    event: Record<string, unknown>,
    options: { teamId?: string; retryNum?: number } = {},
  ): Promise<{ status: number; body: string }> {
    const body = eventCallbackBody(event, options.teamId ?? this.options.standIn.state.workspace.teamId);
    const timestamp = String(this.now());
    const res = await fetch(`${this.options.botUrl}/slack/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': this.signature(timestamp, body),
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
