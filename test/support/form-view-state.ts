import type { ViewValues } from '../../src/demo/slack-payloads';
import { FORM_CHANNEL, FORM_POLICY, FORM_PROJECT, FORM_REASON, FORM_SERVER, FORM_VOLUMES } from '../../src/slack/ids';

export interface FormFields {
  readonly project?: string;
  readonly policy?: string;
  readonly volumes?: readonly string[];
  readonly server?: string;
  /** Only in a form opened from the shortcut. */
  readonly channel?: string;
  readonly reason?: string;
}

const picked = (value: string) => ({ value, text: { type: 'plain_text', text: value } });

/** The request form's `state.values` as Slack sends them, for the fields given (the project defaults to prod). */
export function formValues(fields: FormFields = {}): ViewValues {
  const project = fields.project ?? 'prod';
  return {
    project: { [FORM_PROJECT]: { type: 'static_select', selected_option: picked(project) } },
    [`policy.${project}`]: {
      [FORM_POLICY]: { type: 'external_select', selected_option: fields.policy ? picked(fields.policy) : null },
    },
    [`server.${project}`]: {
      [FORM_SERVER]: { type: 'external_select', selected_option: fields.server ? picked(fields.server) : null },
    },
    [`volumes.${project}`]: {
      [FORM_VOLUMES]: { type: 'multi_external_select', selected_options: (fields.volumes ?? []).map(picked) },
    },
    ...(fields.channel !== undefined && {
      channel: { [FORM_CHANNEL]: { type: 'conversations_select', selected_conversation: fields.channel } },
    }),
    reason: { [FORM_REASON]: { type: 'plain_text_input', value: fields.reason ?? null } },
  };
}
