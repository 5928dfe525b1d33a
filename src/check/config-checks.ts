import type { AccessRule } from '../domain/access-rules';
import { DEFAULT_RULE_ACTIONS } from '../domain/access-rules';
import type { Config } from '../config/load-config';

/** The selectors a rule can narrow by; a rule with none of them (only `everyone: true`) matches everyone. */
function narrows(rule: AccessRule): boolean {
  return (
    rule.users !== undefined ||
    rule.usergroups !== undefined ||
    rule.channels !== undefined ||
    rule.policies !== undefined ||
    rule.projects !== undefined ||
    rule.maxVolumes !== undefined
  );
}

/**
 * A rule list that denies every request is almost surely a mistake; say which one and how to fix it.
 * Only the rules that cover associate count (`actions`, associate when unset): a rule that denies
 * everyone an undo denies no associate, however early it comes.
 */
export function checkRules(rules: readonly AccessRule[]): readonly string[] {
  if (rules.length === 0)
    return [
      'There are no access rules, so every request is denied: add rules to the config (see backup-bot.example.yml).',
    ];
  const covering = rules.filter((r) => (r.actions ?? DEFAULT_RULE_ACTIONS).includes('associate'));
  if (covering.length === 0)
    return [
      'No access rule covers associate (each names other actions), so every request is denied: add associate to ' +
        "a rule's actions, or leave actions out (a rule without them covers associate).",
    ];
  const catchAll = covering.findIndex((r) => r.everyone === true && !narrows(r));
  if (catchAll >= 0 && covering.slice(0, catchAll + 1).every((r) => r.decision === 'deny')) {
    const rule = covering[catchAll];
    return [
      `Rule "${rule?.name ?? ''}" (everyone: true, decision: deny) comes first among the rules that can match, so ` +
        'every request is denied: move the rules that allow or ask for approval above it, or remove it (no match already means deny).',
    ];
  }
  if (covering.every((r) => r.decision === 'deny'))
    return [
      'Every access rule that covers associate says decision: deny, so every request is denied: give at least one ' +
        'of them decision: allow or require_approval.',
    ];
  return [];
}

/** Every user group handle the config names: in rules, in rule approvers and in the global approvers. */
export function namedUsergroups(config: Pick<Config, 'access' | 'approvals'>): readonly string[] {
  return [
    ...config.access.rules.flatMap((r) => [...(r.usergroups ?? []), ...(r.approvers?.usergroups ?? [])]),
    ...(config.approvals?.approvers.usergroups ?? []),
  ];
}
