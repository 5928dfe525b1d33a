import type { App, BlockSuggestion } from '@slack/bolt';
import type { ViewOutput } from '@slack/bolt';
import type { ProjectConfig } from '../../config/load-config';
import { parseRequestId } from '../../domain/ids';
import { MAX_OPTIONS, MAX_QUERY_LENGTH } from '../../flow/cloud-cache';
import { loadDraft } from '../../flow/request-form';
import type { BackupPolicy, Server, Volume } from '../../otc/types';
import type { Option } from '../blocks/request-form-view';
import { option } from '../blocks/request-form-view';
import { readFormState } from '../form-state';
import { FORM_POLICY, FORM_SERVER, FORM_VOLUMES } from '../ids';
import type { FormDeps } from './request-form';
import { teamIdOf } from '../payload';

/** "daily-7d · every day at 02:00 · keeps 7" */
export function policyLabel(p: BackupPolicy): string {
  const every =
    p.frequencyDays === undefined ? undefined : p.frequencyDays === 1 ? 'every day' : `every ${p.frequencyDays} days`;
  const at = p.startTime === undefined ? undefined : `at ${p.startTime}`;
  const parts = [
    p.name,
    [every, at].filter(Boolean).join(' ') || undefined,
    p.retentionCount === undefined ? undefined : `keeps ${p.retentionCount}`,
    p.status === 'ON' ? undefined : p.status.toLowerCase(),
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

function contains(text: string, query: string): boolean {
  return text.toLowerCase().includes(query.toLowerCase());
}

/**
 * Type-ahead for the form's policy, server and volume fields, answered from the short-lived
 * cache. A form that is not the asker's own, or an absurd query, gets no options (and no error).
 */
export function registerFormOptions(app: App, deps: FormDeps): void {
  const answer = async (
    body: BlockSuggestion,
    make: (project: ProjectConfig, query: string) => Promise<Option[]>,
  ): Promise<Option[]> => {
    const query = body.value ?? '';
    if (query.length > MAX_QUERY_LENGTH) return [];
    const view = (body as { view?: ViewOutput }).view;
    if (view === undefined) return [];
    const draft = await loadDraft(deps.submit, parseRequestId(view.private_metadata), {
      teamId: teamIdOf(body),
      userId: body.user.id,
    });
    if (draft === undefined) return [];
    const state = readFormState(view.state.values, deps.config.projects);
    const project = deps.config.projects.find((p) => p.name === state.project)!;
    return (await make(project, query)).slice(0, MAX_OPTIONS);
  };

  app.options<'block_suggestion'>({ action_id: FORM_POLICY }, async ({ ack, body }) => {
    const options = await answer(body, async (project, query) =>
      (await deps.cache.listPolicies(project))
        .filter((p) => contains(p.name, query) || p.id.startsWith(query.toLowerCase()))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((p) => option(policyLabel(p), p.id)),
    );
    await ack({ options });
  });

  app.options<'block_suggestion'>({ action_id: FORM_VOLUMES }, async ({ ack, body }) => {
    const options = await answer(body, async (project, query) => {
      const [volumes, servers] = await Promise.all([
        deps.cache.searchVolumes(project, query),
        deps.cache.listServers(project).catch((): readonly Server[] => []),
      ]);
      const names = new Map(servers.map((s) => [s.id as string, s.name]));
      return volumes.map((v) => option(volumeLabel(v, names), v.id));
    });
    await ack({ options });
  });

  app.options<'block_suggestion'>({ action_id: FORM_SERVER }, async ({ ack, body }) => {
    const options = await answer(body, async (project, query) =>
      (await deps.cache.listServers(project))
        .filter((s) => contains(s.name, query) || s.id.startsWith(query.toLowerCase()))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((s) => option(s.name, s.id)),
    );
    await ack({ options });
  });
}
