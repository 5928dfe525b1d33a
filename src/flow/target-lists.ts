import type { BackupBackend, BackupTarget } from '../otc/types';
import { KeptPromises } from './kept-promises';
import type { Clock } from './ports';

/**
 * How long a project's policy or vault list serves the requests checked after it was read. A burst
 * of commands in an incident is checked against one listing instead of one each; anything the bot
 * itself changes drops the copy at once, so only a change made outside the bot (the console,
 * another replica) can be this much behind, and the cloud call itself still refuses what no longer
 * fits (a deleted policy, a volume moved to another vault) and the summary says so.
 */
export const TARGET_LIST_TTL_MS = 5_000;

/** The calls that change which volumes a target holds. */
const WRITES: ReadonlySet<string | symbol> = new Set(['associate', 'disassociate', 'move']);

/**
 * `cloud` with `listTargets` read once per project per `ttlMs` (concurrent readers share the call;
 * a failed read is not kept). An associate, disassociate or move on a project forgets its copy
 * when it starts and when it ends, so a check never sees a copy read before the bot's own change
 * to it finished. Every other method is the cloud's own.
 */
export function shareTargetLists<C extends BackupBackend>(cloud: C, clock: Clock, ttlMs = TARGET_LIST_TTL_MS): C {
  const copies = new KeptPromises<readonly BackupTarget[]>(clock, ttlMs);
  const listTargets: BackupBackend['listTargets'] = (project) =>
    copies.get(project.id, () => cloud.listTargets(project));
  return new Proxy(cloud, {
    get(target, key) {
      if (key === 'listTargets') return listTargets;
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (!WRITES.has(key)) return (...args: unknown[]) => method.apply(target, args);
      return async (...args: unknown[]) => {
        const project = args[0] as Parameters<BackupBackend['listTargets']>[0];
        copies.forget(project.id);
        try {
          return await method.apply(target, args);
        } finally {
          copies.forget(project.id);
        }
      };
    },
  });
}
