import { differenceInMilliseconds } from 'date-fns/differenceInMilliseconds';
import { isBefore } from 'date-fns/isBefore';
import { subMilliseconds } from 'date-fns/subMilliseconds';
import type { ProjectId } from '../domain/ids';
import type { Clock } from '../domain/clock';
import type { ProjectRef } from './types';

export interface IssuedToken {
  readonly value: string;
  readonly expiresAt: Date;
}

export interface TokenCache {
  /** A valid token for the project: cached, or issued once however many callers ask at the same time. */
  getToken(project: ProjectRef): Promise<string>;
  /** Forget `token` for the project (after a 401). A token already replaced by a newer one is left alone. */
  invalidate(projectId: ProjectId, token: string): void;
  /** Token values in memory, for scrubbing error text. */
  knownTokens(): readonly string[];
}

export interface TokenCacheOptions {
  readonly issue: (project: ProjectRef) => Promise<IssuedToken>;
  readonly clock: Clock;
  /** Refresh this long before `expires_at` (default 10 minutes; at most half the token's lifetime). */
  readonly refreshAheadMs?: number | undefined;
}

export const DEFAULT_REFRESH_AHEAD_MS = 10 * 60 * 1000;

/** Dropped tokens kept (in memory only) so an error body echoing one can still be scrubbed. */
const MAX_RETIRED = 4;

interface Entry {
  readonly token: IssuedToken;
  readonly refreshAt: Date;
}

/** One IAM token per project id, refreshed ahead of expiry, single flight per project. */
export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const entries = new Map<ProjectId, Entry>();
  const inFlight = new Map<ProjectId, Promise<IssuedToken>>();
  const retired: string[] = [];
  const refreshAheadMs = options.refreshAheadMs ?? DEFAULT_REFRESH_AHEAD_MS;
  const retire = (token: string): void => {
    retired.push(token);
    if (retired.length > MAX_RETIRED) retired.shift();
  };

  const fetchToken = (project: ProjectRef): Promise<IssuedToken> => {
    const pending = inFlight.get(project.id);
    if (pending) return pending;
    const flight = options
      .issue(project)
      .then((token) => {
        const previous = entries.get(project.id)?.token.value;
        if (previous !== undefined && previous !== token.value) retire(previous);
        entries.set(project.id, { token, refreshAt: computeRefreshAt(token, new Date(options.clock.now())) });
        return token;
      })
      .finally(() => inFlight.delete(project.id));
    inFlight.set(project.id, flight);
    return flight;
  };

  const computeRefreshAt = (token: IssuedToken, now: Date): Date => {
    const lifetimeMs = Math.max(0, differenceInMilliseconds(token.expiresAt, now));
    return subMilliseconds(token.expiresAt, Math.min(refreshAheadMs, lifetimeMs / 2));
  };

  return {
    async getToken(project) {
      const entry = entries.get(project.id);
      if (entry && isBefore(new Date(options.clock.now()), entry.refreshAt)) return entry.token.value;
      try {
        return (await fetchToken(project)).value;
      } catch (e) {
        // Refreshing early failed (IAM down, slow): a token that has not expired still serves.
        const kept = entries.get(project.id);
        if (kept && isBefore(new Date(options.clock.now()), kept.token.expiresAt)) return kept.token.value;
        throw e;
      }
    },
    invalidate(projectId, token) {
      if (entries.get(projectId)?.token.value !== token) return;
      entries.delete(projectId);
      retire(token);
    },
    knownTokens: () => [...[...entries.values()].map((e) => e.token.value), ...retired],
  };
}
