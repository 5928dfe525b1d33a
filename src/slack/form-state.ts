import type { ViewOutput } from '@slack/bolt';
import type { ProjectConfig } from '../config/load-config';
import { isUuid } from '../domain/ids';
import type { FormSelection } from '../flow/request-form';
import type { Option } from './blocks/request-form-view';
import { fieldBlockId, option } from './blocks/request-form-view';
import { FORM_CHANNEL, FORM_OPTIONS, FORM_POLICY, FORM_PROJECT, FORM_REASON, FORM_SERVER, FORM_VOLUMES } from './ids';

/** What the form's fields hold, plus the options as shown (to put them back when the form is redrawn). */
export interface FormState {
  readonly selection: FormSelection;
  readonly project: string;
  readonly policy: Option | undefined;
  readonly server: Option | undefined;
  readonly volumes: readonly Option[];
}

type Values = ViewOutput['state']['values'];
type Selected = { value?: string; text?: { text?: string } } | null | undefined;

function asOption(selected: Selected): Option | undefined {
  if (selected?.value === undefined) return undefined;
  return option(selected.text?.text ?? selected.value, selected.value);
}

/**
 * Reads the form from a view's state. The state is user input like any other: ids that are not
 * UUIDs are dropped here, and everything else is checked again by the flow.
 */
export function readFormState(
  values: Values,
  config: { readonly projects: readonly ProjectConfig[]; readonly defaultProject: ProjectConfig },
): FormState {
  const named = values['project']?.[FORM_PROJECT]?.selected_option?.value;
  const project = config.projects.find((p) => p.name === named) ?? config.defaultProject;
  const field = (name: 'policy' | 'server' | 'volumes', action: string) =>
    values[fieldBlockId(name, project.name)]?.[action];
  const policy = asOption(field('policy', FORM_POLICY)?.selected_option);
  const server = asOption(field('server', FORM_SERVER)?.selected_option);
  const volumes = (field('volumes', FORM_VOLUMES)?.selected_options ?? [])
    .map((o) => asOption(o))
    .filter((o): o is Option => o !== undefined && isUuid(o.value))
    .slice(0, 1000);
  const channel = values['channel']?.[FORM_CHANNEL]?.selected_conversation ?? undefined;
  const reason = values['reason']?.[FORM_REASON]?.value ?? undefined;
  const ticked = (values['options']?.[FORM_OPTIONS]?.selected_options ?? []).map((o) => o.value);
  const move = project.service === 'cbr' && ticked.includes('move');
  const backupNow = ticked.includes('now');
  return {
    project: project.name,
    policy: policy && isUuid(policy.value) ? policy : undefined,
    server: server && isUuid(server.value) ? server : undefined,
    volumes,
    selection: {
      projectName: project.name,
      channelId: channel ?? undefined,
      policyId: policy && isUuid(policy.value) ? policy.value : undefined,
      volumeIds: volumes.map((v) => v.value),
      serverId: server && isUuid(server.value) ? server.value : undefined,
      reason: reason ?? undefined,
      move,
      backupNow,
    },
  };
}
