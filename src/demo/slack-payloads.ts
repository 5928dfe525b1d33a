/**
 * What Slack sends the bot, built as plain values: interaction payloads (button clicks, shortcuts,
 * modals) and Events API bodies. SlackDriver (slack-driver.ts) supplies who, trigger ids and the
 * stand-in's copy of the view, and sends them; slack-answers.ts reads what the bot answers.
 */
import type { StandInView } from './slack-stand-in/state';
import type { StandInStepRun } from './slack-stand-in/steps';
import type { StandInWorkspace } from './slack-stand-in/workspace';

/** A modal's `state.values`: block id -> action id -> value, as Slack sends them. */
export type ViewValues = Record<string, Record<string, Record<string, unknown>>>;

/** The `team` and `user` an interaction payload carries. */
export interface InteractionUser {
  team: { id: string; domain: string };
  user: { id: string; username: string; name: string; team_id: string };
}

/** Who acts, as an interaction names them: `teamId` defaults to the workspace's, the name to the user's. */
export function interactionUser(workspace: StandInWorkspace, userId: string, teamId?: string): InteractionUser {
  const name = workspace.users.find((u) => u.id === userId)?.name ?? 'someone';
  const team = teamId ?? workspace.teamId;
  return { team: { id: team, domain: 'example-ops' }, user: { id: userId, username: name, name, team_id: team } };
}

export interface ClickButtonInput {
  userId: string;
  channelId: string;
  messageTs: string;
  actionId: string;
  value: string;
  teamId?: string;
}

export interface ShortcutInput {
  userId: string;
  callbackId: string;
  teamId?: string;
}

export interface SubmitViewInput {
  userId: string;
  viewId: string;
  values: ViewValues;
  teamId?: string;
  privateMetadata?: string;
}

export interface SuggestInput {
  userId: string;
  viewId: string;
  blockId: string;
  actionId: string;
  value: string;
  values?: ViewValues;
  teamId?: string;
  privateMetadata?: string;
}

export interface ChangeViewInput {
  userId: string;
  viewId: string;
  blockId: string;
  actionId: string;
  action: Record<string, unknown>;
  values: ViewValues;
  teamId?: string;
}

/** What every interactivity payload starts with: its type, who sent it, the app and the (deprecated) token. */
function interaction(type: string, who: InteractionUser): Record<string, unknown> {
  return { type, ...who, api_app_id: 'A0BACKUPBOT', token: 'deprecated-verification-token' };
}

/** A click on a button of a message (block_actions). `value` is what the button carries. */
export function buttonClickPayload(
  who: InteractionUser,
  triggerId: string,
  responseUrl: string,
  input: ClickButtonInput,
): Record<string, unknown> {
  return {
    ...interaction('block_actions', who),
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channelId, is_ephemeral: false },
    trigger_id: triggerId,
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
  };
}

/** A global shortcut. */
export function shortcutPayload(
  who: InteractionUser,
  triggerId: string,
  input: ShortcutInput,
): Record<string, unknown> {
  return {
    ...interaction('shortcut', who),
    callback_id: input.callbackId,
    trigger_id: triggerId,
    action_ts: String(Date.now() / 1000),
  };
}

/** A view_submission of `stored` with the given input values. */
export function viewSubmissionPayload(
  stored: StandInView,
  who: InteractionUser,
  triggerId: string,
  input: SubmitViewInput,
): Record<string, unknown> {
  return {
    ...interaction('view_submission', who),
    trigger_id: triggerId,
    view: {
      ...stored.view,
      id: stored.id,
      hash: stored.hash,
      private_metadata: input.privateMetadata ?? stored.view['private_metadata'] ?? '',
      state: { values: input.values },
    },
  };
}

/** Type-ahead in an external select of `stored` (block_suggestion). */
export function blockSuggestionPayload(
  stored: StandInView,
  who: InteractionUser,
  input: SuggestInput,
): Record<string, unknown> {
  return {
    ...interaction('block_suggestion', who),
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
  };
}

/** A change in a modal's input with dispatch_action (block_actions from a view), carrying the whole state. */
export function viewChangePayload(
  stored: StandInView,
  who: InteractionUser,
  triggerId: string,
  input: ChangeViewInput,
): Record<string, unknown> {
  return {
    ...interaction('block_actions', who),
    container: { type: 'view', view_id: stored.id },
    trigger_id: triggerId,
    view: { ...stored.view, id: stored.id, hash: stored.hash, state: { values: input.values } },
    actions: [
      { action_id: input.actionId, block_id: input.blockId, action_ts: String(Date.now() / 1000), ...input.action },
    ],
  };
}

/** An Events API delivery's JSON body (event_callback) for `event` in workspace `teamId`. */
export function eventCallbackBody(event: Record<string, unknown>, teamId: string): string {
  return JSON.stringify({
    token: 'deprecated-verification-token',
    team_id: teamId,
    api_app_id: 'A0BACKUPBOT',
    event: { ...event, event_ts: String(Date.now() / 1000) },
    type: 'event_callback',
    event_id: `Ev${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
  });
}

/** The "Protect volumes" step's fields a workflow's author fills in (the requester and channel come apart). */
export interface ProtectStepFields {
  readonly policy: string;
  readonly volumes: string;
  readonly server?: string;
  readonly project?: string;
  readonly reason?: string;
}

export interface FunctionExecutedInput {
  /** Who ran the workflow: Slack puts them in the `requester` input as a user_context. */
  readonly userId: string;
  /** The `channel` input: where the record goes. */
  readonly channelId: string;
  readonly fields: ProtectStepFields;
  readonly teamId?: string;
  /** Another delivery of a run sent before (Slack retries an event it saw no ack for). */
  readonly run?: StandInStepRun;
  readonly retryNum?: number;
}

const param = (name: string, type: string, title: string, required: boolean) => ({
  name,
  type,
  title,
  is_required: required,
});

/** The step as Slack describes it in the event: its definition from manifest.yml (`functions.protect_volumes`). */
const PROTECT_STEP_FUNCTION = {
  id: 'Fn0PROTECT01',
  callback_id: 'protect_volumes',
  title: 'Protect volumes',
  description: 'Add EVS volumes to a backup policy or vault, with the same checks, approvals and record as /backup',
  type: 'app',
  input_parameters: [
    param('requester', 'slack#/types/user_context', 'Requester', true),
    param('channel', 'slack#/types/channel_id', 'Channel for the record', true),
    param('policy', 'string', 'Backup policy or vault', true),
    param('volumes', 'string', 'Volumes', true),
    param('server', 'string', 'Server', false),
    param('project', 'string', 'Project', false),
    param('reason', 'string', 'Reason', false),
  ],
  output_parameters: [
    param('request_id', 'string', 'Request id', true),
    param('state', 'string', 'State', true),
    param('added_count', 'integer', 'Volumes added', true),
    param('failed_count', 'integer', 'Volumes failed', true),
    param('thread_ts', 'slack#/types/message_ts', 'Thread of the record', false),
  ],
  app_id: 'A0BACKUPBOT',
  date_created: 1767225600,
  date_updated: 1767225600,
  date_deleted: 0,
};

/**
 * A `function_executed` event for a run of the step, shaped as Slack's reference shows it
 * (docs.slack.dev/reference/events/function_executed): the function, its inputs (a user_context is
 * `{ id, secret }`), the execution ids, and the run's own `bot_access_token`.
 */
export function functionExecutedEvent(run: StandInStepRun, input: FunctionExecutedInput): Record<string, unknown> {
  const { policy, volumes, server, project, reason } = input.fields;
  return {
    type: 'function_executed',
    function: PROTECT_STEP_FUNCTION,
    inputs: {
      requester: { id: input.userId, secret: 'c3RhbmQtaW4tdXNlci1jb250ZXh0' },
      channel: input.channelId,
      policy,
      volumes,
      ...(server !== undefined && { server }),
      ...(project !== undefined && { project }),
      ...(reason !== undefined && { reason }),
    },
    function_execution_id: run.executionId,
    workflow_execution_id: run.workflowExecutionId,
    bot_access_token: run.token,
  };
}
