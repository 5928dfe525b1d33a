import type { types } from '@slack/bolt';
import type { Approvers } from '../../domain/backup-request';
import type { PreviewOutcome } from '../../flow/request-form';
import {
  FORM_CHANNEL,
  FORM_OPTIONS,
  FORM_POLICY,
  FORM_PROJECT,
  FORM_REASON,
  FORM_SERVER,
  FORM_VOLUMES,
  VIEW_FORM,
} from '../ids';
import { composedText, plural, userText } from '../mrkdwn';
import type { Block } from './kit';
import { context, divider, LIMITS, plain, section } from './kit';
import type { ModalView } from './approval-modal';
import { buildPreviewBlocks } from './preview-blocks';
import { buildCannotPostMessage, buildUnknownUserMessage } from './reply-blocks';

/** A select option whose value is always set (Slack's type allows none). */
export interface Option {
  readonly text: types.PlainTextElement;
  readonly value: string;
}

export interface FormModel {
  readonly draftId: string;
  readonly projects: readonly string[];
  readonly project: string;
  /** Ask which channel (a global shortcut has none). */
  readonly askChannel: boolean;
  readonly channelId: string | undefined;
  readonly policy: Option | undefined;
  readonly server: Option | undefined;
  readonly volumes: readonly Option[];
  readonly reason: string | undefined;
  /** The project's service: VBS asks for a backup policy, CBR for a vault (and offers to move volumes). */
  readonly service: 'vbs' | 'cbr';
  readonly move: boolean;
  readonly backupNow: boolean;
  /** The deciding rule wants a reason. */
  readonly reasonRequired: boolean;
  readonly preview: PreviewOutcome | 'loading';
  readonly approvers: Approvers | undefined;
}

/** Slack option labels are at most 75 characters. */
export function option(text: string, value: string): Option {
  return { text: plain(text, LIMITS.optionText), value };
}

/** Field blocks carry the project in their id, so a new project clears the policy, server and volumes. */
export function fieldBlockId(field: 'policy' | 'server' | 'volumes', project: string): string {
  return `${field}.${project}`;
}

function previewBlocks(model: FormModel): Block[] {
  const p = model.preview;
  if (p === 'loading') return [section(':hourglass_flowing_sand: Checking…')];
  switch (p.kind) {
    case 'incomplete':
      return [
        context(
          `Pick ${p.missing.map((m) => (m === 'volumes' ? 'volumes (or a server)' : `a ${m}`)).join(' and ')} to see what will happen.`,
        ),
      ];
    case 'invalid':
      return [section(`:warning: ${p.problems.map((x) => composedText(x.text, 600)).join('\n')}`)];
    case 'cannot_post':
      return buildCannotPostMessage(p.why).blocks;
    case 'unknown_user':
      return buildUnknownUserMessage().blocks;
    case 'denied':
      return p.checked
        ? buildPreviewBlocks(p.checked, undefined)
        : [section(`:no_entry: *Denied*: ${userText(p.decision.reason, 600)}.`)];
    case 'checked':
      return buildPreviewBlocks(p.checked, model.approvers);
  }
}

function submitLabel(preview: FormModel['preview']): string {
  if (preview === 'loading' || preview.kind !== 'checked') return 'Submit';
  const { checked } = preview;
  return checked.decision.verdict === 'require_approval'
    ? 'Ask for approval'
    : `Add ${plural(checked.volumes.length, 'volume')}`;
}

const NOW_OPTION = {
  text: plain('Back up now (every volume of the policy or vault)'),
  value: 'now',
};
const MOVE_OPTION = {
  text: plain('Move volumes that are in another vault (their backups move too)'),
  value: 'move',
};

/** `--now`, and on CBR projects `--move`. */
function optionsField(model: Pick<FormModel, 'service' | 'move' | 'backupNow'>): Block {
  const options = model.service === 'cbr' ? [NOW_OPTION, MOVE_OPTION] : [NOW_OPTION];
  const ticked = [
    ...(model.backupNow ? [NOW_OPTION] : []),
    ...(model.service === 'cbr' && model.move ? [MOVE_OPTION] : []),
  ];
  return {
    type: 'input',
    block_id: 'options',
    dispatch_action: true,
    optional: true,
    label: plain('Options'),
    element: {
      type: 'checkboxes',
      action_id: FORM_OPTIONS,
      options,
      ...(ticked.length > 0 && { initial_options: ticked }),
    },
  };
}

/** The request form: project, channel (shortcut), policy, server, volumes, reason, and a live preview. */
export function buildRequestForm(model: FormModel): ModalView {
  const blocks: Block[] = [];
  if (model.projects.length > 1) {
    blocks.push({
      type: 'input',
      block_id: 'project',
      dispatch_action: true,
      label: plain('Project'),
      element: {
        type: 'static_select',
        action_id: FORM_PROJECT,
        options: model.projects.slice(0, LIMITS.staticSelectOptions).map((p) => option(p, p)),
        initial_option: option(model.project, model.project),
      },
    });
  }
  if (model.askChannel) {
    blocks.push({
      type: 'input',
      block_id: 'channel',
      dispatch_action: true,
      label: plain('Channel for the record'),
      hint: plain('The request and its summary are posted there.'),
      element: {
        type: 'conversations_select',
        action_id: FORM_CHANNEL,
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        ...(model.channelId && { initial_conversation: model.channelId }),
      },
    });
  }
  blocks.push(
    {
      type: 'input',
      block_id: fieldBlockId('policy', model.project),
      dispatch_action: true,
      label: plain(model.service === 'cbr' ? 'Vault' : 'Backup policy'),
      element: {
        type: 'external_select',
        action_id: FORM_POLICY,
        min_query_length: 0,
        placeholder: plain(model.service === 'cbr' ? 'vault-daily…' : 'daily-7d…'),
        ...(model.policy && { initial_option: model.policy }),
      },
    },
    {
      type: 'input',
      block_id: fieldBlockId('volumes', model.project),
      dispatch_action: true,
      optional: true,
      label: plain('Volumes'),
      hint: plain('Type a name or the start of an id.'),
      element: {
        type: 'multi_external_select',
        action_id: FORM_VOLUMES,
        min_query_length: 0,
        placeholder: plain('db-data…'),
        ...(model.volumes.length > 0 && { initial_options: [...model.volumes] }),
      },
    },
    {
      type: 'input',
      block_id: fieldBlockId('server', model.project),
      dispatch_action: true,
      optional: true,
      label: plain('…or every volume of a server'),
      element: {
        type: 'external_select',
        action_id: FORM_SERVER,
        min_query_length: 0,
        placeholder: plain('web-01…'),
        ...(model.server && { initial_option: model.server }),
      },
    },
    optionsField(model),
    {
      type: 'input',
      block_id: 'reason',
      optional: !model.reasonRequired,
      label: plain(model.reasonRequired ? 'Reason (this rule needs one)' : 'Reason'),
      element: {
        type: 'plain_text_input',
        action_id: FORM_REASON,
        max_length: 2000,
        placeholder: plain('INC-4711 db disks'),
        ...(model.reason && { initial_value: model.reason }),
      },
    },
    divider(),
    ...previewBlocks(model),
  );
  return {
    type: 'modal',
    callback_id: VIEW_FORM,
    private_metadata: model.draftId,
    title: plain('Request backup'),
    submit: plain(submitLabel(model.preview)),
    close: plain('Cancel'),
    blocks: blocks.slice(0, LIMITS.blocksPerView),
  };
}
