import type { Actor } from '../domain/actor';
import type { FlowDeps } from './flow-deps';
import type { RateLimit } from './request-limiter';

/**
 * The door every flow goes through first, before any look-up: the person must be within their
 * share of requests, and the workspace one the bot serves. The limit comes first so that a
 * workspace the bot does not serve cannot make it write (refusals are audited) without bound
 * either. A refused workspace is told nothing more: each flow answers it as an unknown request.
 */
export type Admission =
  | { readonly admitted: true }
  | { readonly admitted: false; readonly why: 'other_workspace' }
  | { readonly admitted: false; readonly why: 'rate_limited'; readonly rate: RateLimit };

type AdmissionDeps = Pick<FlowDeps, 'workspaces' | 'limiter' | 'logger'>;

function admit(deps: AdmissionDeps, actor: Actor, limit: (who: string) => RateLimit | undefined): Admission {
  const who = { team: actor.teamId, user: actor.userId };
  const rate = limit(`${actor.teamId}/${actor.userId}`);
  if (rate !== undefined) {
    deps.logger.warn('refused a request over the per-person limit', { ...who, limit: rate.limit });
    return { admitted: false, why: 'rate_limited', rate };
  }
  if (!deps.workspaces.allows(actor.teamId)) {
    deps.logger.warn('refused a request from a workspace the bot does not serve', who);
    return { admitted: false, why: 'other_workspace' };
  }
  return { admitted: true };
}

/** Admits a request a person makes (a command, a click, a submit, the App Home): it counts towards their limit. */
export function admitRequest(deps: AdmissionDeps, actor: Actor): Admission {
  return admit(deps, actor, (who) => deps.limiter.take(who));
}

/**
 * Admits what an open form does on its own (a redraw, a type-ahead query): it counts nothing, so
 * typing in a form never uses up the limit, but gets nothing while the person is at it.
 */
export function admitFollowUp(deps: AdmissionDeps, actor: Actor): Admission {
  return admit(deps, actor, (who) => deps.limiter.check(who));
}

/**
 * What a flow answers a refused admission with: "over the limit", or the flow's own answer to a
 * workspace it does not serve (an unknown request, not allowed: never a word about other workspaces).
 */
export function refusalOf<W extends string>(
  refused: Exclude<Admission, { admitted: true }>,
  otherWorkspace: W,
):
  | { readonly ok: false; readonly why: 'rate_limited'; readonly rate: RateLimit }
  | { readonly ok: false; readonly why: W } {
  return refused.why === 'rate_limited'
    ? { ok: false, why: 'rate_limited', rate: refused.rate }
    : { ok: false, why: otherWorkspace };
}
