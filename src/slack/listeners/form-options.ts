import type { BlockSuggestion, ViewOutput } from '@slack/bolt';
import { parseRequestId } from '../../domain/ids';
import type { FlowDeps } from '../../flow/flow-deps';
import type { SuggestQuery } from '../../flow/form-suggestions';
import { suggestPolicies, suggestServers, suggestVolumes } from '../../flow/form-suggestions';
import { scheduleOf } from '../../otc/targets';
import type { BackupTarget, Volume } from '../../otc/types';
import { describeSchedule } from '../blocks/policy-schedule';
import { option } from '../blocks/request-form-view';
import { readFormState } from '../form-state';
import { FORM_POLICY, FORM_SERVER, FORM_VOLUMES } from '../ids';
import { teamIdOf } from '../payload';
import type { SlackListeners } from './listener-router';

/**
 * "daily-7d · every day at 02:00 UTC · keeps 7", "weekly · every Sun and Wed at 12:00 UTC+08:00 · keeps 30 days";
 * a vault adds its volume count and room: "vault-daily · every day at 02:00 UTC · keeps 7 · 2 volumes · 180/1000 GB".
 */
export function policyLabel(target: BackupTarget): string {
  const vault =
    target.kind === 'vault'
      ? [
          `${target.resourceCount} ${target.resourceCount === 1 ? 'volume' : 'volumes'}`,
          target.capacityGb === undefined ? undefined : `${target.allocatedGb ?? 0}/${target.capacityGb} GB`,
        ]
      : [];
  const p = scheduleOf(target);
  if (p === undefined) return [target.name, 'no policy bound', ...vault].filter((x) => x !== undefined).join(' · ');
  const schedule = describeSchedule(p);
  const at = schedule.at === undefined ? undefined : `at ${schedule.at}`;
  const keeps =
    p.retentionCount !== undefined ? `keeps ${p.retentionCount}` : schedule.keeps && `keeps ${schedule.keeps}`;
  const parts = [
    target.name,
    [schedule.when, at].filter(Boolean).join(' ') || undefined,
    keeps,
    p.status === 'ON' ? undefined : p.status.toLowerCase(),
    ...vault,
  ];
  return parts.filter((x) => x !== undefined).join(' · ');
}

/** "db-data-1 · 500 GB · eu-de-01 · in-use · db-01" */
export function volumeLabel(v: Volume, serverNames: ReadonlyMap<string, string>): string {
  const server =
    v.attachments[0] === undefined
      ? 'not attached'
      : (serverNames.get(v.attachments[0].serverId) ?? v.attachments[0].serverId.slice(0, 8));
  return [v.name, `${v.sizeGb} GB`, v.availabilityZone, v.status, server].join(' · ');
}

/** The signed asker, their form's draft id and picked project, and what they typed. */
function queryOf(deps: Pick<FlowDeps, 'config'>, body: BlockSuggestion): SuggestQuery | undefined {
  const view = (body as { view?: ViewOutput }).view;
  if (view === undefined) return undefined;
  return {
    actor: { teamId: teamIdOf(body), userId: body.user.id },
    draftId: parseRequestId(view.private_metadata),
    projectName: readFormState(view.state.values, deps.config).project,
    query: body.value,
  };
}

/** Type-ahead for the form's policy, server and volume fields, answered from the form's copy of the cloud. */
export function registerFormOptions(app: SlackListeners, deps: FlowDeps): void {
  app.options<'block_suggestion'>({ action_id: FORM_POLICY }, async ({ ack, body }) => {
    const q = queryOf(deps, body);
    const policies = q === undefined ? [] : await suggestPolicies(deps, q);
    await ack({ options: policies.map((p) => option(policyLabel(p), p.id)) });
  });

  app.options<'block_suggestion'>({ action_id: FORM_VOLUMES }, async ({ ack, body }) => {
    const q = queryOf(deps, body);
    const found = q === undefined ? undefined : await suggestVolumes(deps, q);
    await ack({
      options: (found?.volumes ?? []).map((v) => option(volumeLabel(v, found?.serverNames ?? new Map()), v.id)),
    });
  });

  app.options<'block_suggestion'>({ action_id: FORM_SERVER }, async ({ ack, body }) => {
    const q = queryOf(deps, body);
    const servers = q === undefined ? [] : await suggestServers(deps, q);
    await ack({ options: servers.map((s) => option(s.name, s.id)) });
  });
}
