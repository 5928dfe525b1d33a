import type { ProjectConfig } from '../config/load-config';
import type { Actor } from '../domain/actor';
import type { RequestId } from '../domain/ids';
import type { BackupTarget, Server, Volume } from '../otc/types';
import { admitFollowUp } from './admission';
import { MAX_OPTIONS, MAX_QUERY_LENGTH } from './cloud-cache';
import type { FlowDeps } from './flow-deps';
import { loadDraft } from './request-form';

type SuggestDeps = Pick<FlowDeps, 'config' | 'formCloud' | 'drafts' | 'clock' | 'workspaces' | 'limiter' | 'logger'>;

/** Where a type-ahead query comes from: the actor, their form's draft, and the project picked in it. */
export interface SuggestQuery {
  readonly actor: Actor;
  readonly draftId: RequestId | undefined;
  readonly projectName: string;
  readonly query: string;
}

/** Items whose name contains the query, or whose id starts with it; by name, at most a page of options. */
function byNameOrIdPrefix<T extends { readonly id: string; readonly name: string }>(
  items: readonly T[],
  query: string,
): T[] {
  const q = query.toLowerCase();
  return items
    .filter((item) => item.name.toLowerCase().includes(q) || item.id.startsWith(q))
    .sort((a, b) => a.name.localeCompare(b.name))
    .slice(0, MAX_OPTIONS);
}

/**
 * The project to suggest from, for the actor's own form only; a form that is not theirs, a
 * workspace the bot does not serve, a person at their limit, an unknown project or an absurd
 * query gets nothing (and no error: type-ahead has no place for one). Keystrokes count nothing.
 */
async function projectFor(deps: SuggestDeps, q: SuggestQuery): Promise<ProjectConfig | undefined> {
  if (q.query.length > MAX_QUERY_LENGTH || !admitFollowUp(deps, q.actor).admitted) return undefined;
  if ((await loadDraft(deps, q.draftId, q.actor)) === undefined) return undefined;
  return deps.config.projects.find((p) => p.name === q.projectName);
}

/** Policies whose name contains the query, or whose id starts with it; by name. */
export async function suggestPolicies(deps: SuggestDeps, q: SuggestQuery): Promise<readonly BackupTarget[]> {
  const project = await projectFor(deps, q);
  if (project === undefined) return [];
  return byNameOrIdPrefix(await deps.formCloud.listTargets(project), q.query);
}

/** Servers whose name contains the query, or whose id starts with it; by name. */
export async function suggestServers(deps: SuggestDeps, q: SuggestQuery): Promise<readonly Server[]> {
  const project = await projectFor(deps, q);
  if (project === undefined) return [];
  return byNameOrIdPrefix(await deps.formCloud.listServers(project), q.query);
}

/** Volumes matching the query (best first), with the names of the servers they are attached to. */
export async function suggestVolumes(
  deps: SuggestDeps,
  q: SuggestQuery,
): Promise<{ readonly volumes: readonly Volume[]; readonly serverNames: ReadonlyMap<string, string> }> {
  const project = await projectFor(deps, q);
  if (project === undefined) return { volumes: [], serverNames: new Map() };
  const [volumes, servers] = await Promise.all([
    deps.formCloud.searchVolumes(project, q.query),
    deps.formCloud.listServers(project).catch((): readonly Server[] => []),
  ]);
  return { volumes, serverNames: new Map(servers.map((s) => [s.id as string, s.name])) };
}
