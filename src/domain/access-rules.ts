import type { RequestAction } from './backup-request';
import { isUuid } from './ids';
import { matchesGlob } from './glob';

/** What a rule decides. `require_approval` sends the request to an approver first. */
export type AccessVerdict = 'allow' | 'deny' | 'require_approval';

export interface AccessRule {
  readonly name: string;
  readonly users?: readonly string[] | undefined;
  readonly usergroups?: readonly string[] | undefined;
  readonly channels?: readonly string[] | undefined;
  readonly policies?: readonly string[] | undefined;
  readonly projects?: readonly string[] | undefined;
  readonly maxVolumes?: number | undefined;
  readonly everyone?: boolean | undefined;
  /** What the rule covers; undefined means associate only (rules from before undo grant nothing new). */
  readonly actions?: readonly RuleAction[] | undefined;
  readonly decision: AccessVerdict;
  /** With require_approval: who may approve (instead of the global approvers). */
  readonly approvers?: { readonly users: readonly string[]; readonly usergroups: readonly string[] } | undefined;
  /** With require_approval: how long the request waits for a decision (instead of the global ttl). */
  readonly ttlMs?: number | undefined;
  /** Requests this rule lets through must give a reason. */
  readonly requireReason?: boolean | undefined;
}

export interface AccessPolicy {
  readonly rules: readonly AccessRule[];
  /** When set, requests from any other Slack workspace are denied. */
  readonly allowedTeamIds?: readonly string[] | undefined;
}

/** Facts about one request, all taken from the signed Slack payload, Slack's directory and the cloud. */
export interface AccessRequest {
  readonly teamId: string;
  readonly user: { readonly id: string; readonly isGuest: boolean; readonly isBot: boolean };
  /** Handles of the user's groups; `undefined` when Slack could not tell (then group rules never match). */
  readonly usergroups: readonly string[] | undefined;
  readonly channel: { readonly id: string; readonly name: string | undefined };
  readonly action: RuleAction;
  /** The policy (VBS) or vault (CBR): a rule's `policies` names either. */
  readonly policy: { readonly kind: 'policy' | 'vault'; readonly id: string; readonly name: string };
  readonly project: string;
  readonly volumeCount: number;
}

export interface AccessDecision {
  readonly verdict: AccessVerdict;
  /** The rule that decided, or the built-in check: always set, always shown to the user. */
  readonly decidedBy: string;
  /** One sentence: why. */
  readonly reason: string;
}

export const ALLOWED_TEAMS_CHECK = 'slack.allowed_team_ids';
export const NO_RULE_MATCHED = 'no matching rule (deny)';

type RuleMatch =
  | { readonly matched: true; readonly because: readonly string[] }
  /** `groupsUnknown`: every selector but the user groups matched, and Slack could not tell the groups. */
  | { readonly matched: false; readonly missed: string; readonly groupsUnknown?: true };

const GROUPS_UNKNOWN = 'Slack could not tell the bot your user groups';

/** What a rule can cover: a request's action, or backing the target up at once (`--now`). */
export type RuleAction = RequestAction | 'backup_now';

/** What a rule without `actions` covers. */
export const DEFAULT_RULE_ACTIONS: readonly RuleAction[] = ['associate'];

const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;

function stripPrefix(text: string, prefix: string): string {
  return text.startsWith(prefix) ? text.slice(prefix.length) : text;
}

function matchChannel(entries: readonly string[], channel: AccessRequest['channel']): string | undefined {
  for (const entry of entries) {
    if (CHANNEL_ID.test(entry)) {
      if (entry === channel.id) return entry;
    } else if (channel.name !== undefined && matchesGlob(stripPrefix(entry, '#'), channel.name))
      return `#${stripPrefix(entry, '#')}`;
  }
  return undefined;
}

function matchPolicy(entries: readonly string[], policy: AccessRequest['policy']): string | undefined {
  return entries.find((e) => (isUuid(e) ? e.toLowerCase() === policy.id.toLowerCase() : matchesGlob(e, policy.name)));
}

/** Every selector a rule names must match; the first that does not is reported. */
export function matchRule(rule: AccessRule, req: AccessRequest): RuleMatch {
  const because: string[] = [];
  const actions = rule.actions ?? DEFAULT_RULE_ACTIONS;
  if (!actions.includes(req.action))
    return { matched: false, missed: `it covers ${actions.join(' and ')} only, not ${req.action}` };
  const namesUser = rule.users?.includes(req.user.id) ?? false;
  if ((req.user.isGuest || req.user.isBot) && !namesUser) {
    return {
      matched: false,
      missed: `${req.user.isBot ? 'bots' : 'guest accounts'} only match rules that name their user id`,
    };
  }
  if (rule.users !== undefined) {
    if (!namesUser) return { matched: false, missed: 'you are not one of its users' };
    because.push('it names you');
  }
  // Unknown groups: the rule cannot match, but whether it would have is told once the rest is checked.
  const groupsUnknown = rule.usergroups !== undefined && req.usergroups === undefined;
  if (rule.usergroups !== undefined && req.usergroups !== undefined) {
    const mine = new Set(req.usergroups.map((g) => stripPrefix(g, '@').toLowerCase()));
    const group = rule.usergroups.find((g) => mine.has(stripPrefix(g, '@').toLowerCase()));
    if (group === undefined)
      return {
        matched: false,
        missed: `you are not in ${rule.usergroups.map((g) => `@${stripPrefix(g, '@')}`).join(' or ')}`,
      };
    because.push(`you are in @${stripPrefix(group, '@')}`);
  }
  if (rule.channels !== undefined) {
    const hit = matchChannel(rule.channels, req.channel);
    if (hit === undefined) return { matched: false, missed: `this channel is not ${rule.channels.join(' or ')}` };
    because.push(`the channel matches ${hit}`);
  }
  if (rule.projects !== undefined) {
    if (!rule.projects.includes(req.project))
      return { matched: false, missed: `project ${req.project} is not ${rule.projects.join(' or ')}` };
    because.push(`project ${req.project}`);
  }
  if (rule.policies !== undefined) {
    const hit = matchPolicy(rule.policies, req.policy);
    if (hit === undefined)
      return { matched: false, missed: `${req.policy.kind} ${req.policy.name} is not ${rule.policies.join(' or ')}` };
    because.push(`${req.policy.kind} ${req.policy.name} matches ${hit}`);
  }
  if (rule.maxVolumes !== undefined) {
    if (req.volumeCount > rule.maxVolumes) {
      return {
        matched: false,
        missed: `it allows at most ${rule.maxVolumes} volumes and this request has ${req.volumeCount}`,
      };
    }
    because.push(`${req.volumeCount} of at most ${rule.maxVolumes} volumes`);
  }
  if (groupsUnknown) return { matched: false, missed: GROUPS_UNKNOWN, groupsUnknown: true };
  if (rule.everyone === true) because.push('it applies to everyone');
  return { matched: true, because };
}

const VERDICT_WORDS: Record<AccessVerdict, string> = {
  allow: 'allowed',
  deny: 'denied',
  require_approval: 'needs approval',
};

/** Why, without the "allowed by rule x:" lead-in (for texts that name the verdict and rule themselves). */
export function decisionGrounds(decision: AccessDecision): string {
  const lead = `${VERDICT_WORDS[decision.verdict]} by rule ${decision.decidedBy}: `;
  return decision.reason.startsWith(lead) ? decision.reason.slice(lead.length) : decision.reason;
}

/**
 * A guest or bot that no rule names is refused before anything else is looked at: rules match
 * them only by their user id, so nothing they could ask for would be allowed.
 */
export function checkUnnamedAccount(policy: AccessPolicy, user: AccessRequest['user']): AccessDecision | undefined {
  if (!user.isGuest && !user.isBot) return undefined;
  if (policy.rules.some((r) => r.users?.includes(user.id))) return undefined;
  const who = user.isBot ? 'bots' : 'guest accounts';
  return {
    verdict: 'deny',
    decidedBy: NO_RULE_MATCHED,
    reason: `no rule allows this request (${who} only match rules that name their user id)`,
  };
}

/** What a request from a workspace the bot does not serve is told. */
export const WORKSPACE_NOT_ALLOWED: AccessDecision = {
  verdict: 'deny',
  decidedBy: ALLOWED_TEAMS_CHECK,
  reason: 'this Slack workspace is not allowed to use the bot',
};

/**
 * The workspace check alone: a deny when `allowed_team_ids` is set and does not list the team (an
 * empty list lists none). Without a list the caller decides: the bot serves its token's workspace.
 */
export function checkTeam(policy: AccessPolicy, teamId: string): AccessDecision | undefined {
  if (policy.allowedTeamIds !== undefined && !policy.allowedTeamIds.includes(teamId)) return WORKSPACE_NOT_ALLOWED;
  return undefined;
}

/** First matching rule decides; no match is a deny (fail closed). Pure. */
export function decideAccess(policy: AccessPolicy, req: AccessRequest): AccessDecision {
  const team = checkTeam(policy, req.teamId);
  if (team !== undefined) return team;
  const misses: string[] = [];
  for (const rule of policy.rules) {
    const match = matchRule(rule, req);
    // Fail closed: a rule that would deny or send to approval, but for groups Slack could not tell,
    // is not skipped for a more lenient rule below it.
    if (!match.matched && match.groupsUnknown === true && rule.decision !== 'allow')
      return {
        verdict: 'deny',
        decidedBy: rule.name,
        reason: `${GROUPS_UNKNOWN}, and rule ${rule.name} depends on them; try again in a minute`,
      };
    if (match.matched) {
      return {
        verdict: rule.decision,
        decidedBy: rule.name,
        reason: `${VERDICT_WORDS[rule.decision]} by rule ${rule.name}: ${match.because.join(', ') || 'it has no conditions'}`,
      };
    }
    misses.push(`${rule.name}: ${match.missed}`);
  }
  const near = misses.slice(0, 3).join('; ');
  return {
    verdict: 'deny',
    decidedBy: NO_RULE_MATCHED,
    reason:
      misses.length === 0
        ? 'no access rules are configured'
        : `no rule allows this request (${near}${misses.length > 3 ? '; …' : ''})`,
  };
}

const STRICTNESS: Record<AccessVerdict, number> = { allow: 0, require_approval: 1, deny: 2 };

/**
 * One verdict for a request that needs several (a CBR move takes a volume out of one vault and
 * into another): the strictest decides, the first of equals when they tie. Pure.
 */
export function strictest(decisions: readonly [AccessDecision, ...AccessDecision[]]): AccessDecision {
  return decisions.reduce((worst, d) => (STRICTNESS[d.verdict] > STRICTNESS[worst.verdict] ? d : worst));
}
