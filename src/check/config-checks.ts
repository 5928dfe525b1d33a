import type { AccessRule } from '../domain/access-rules';
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

/** A rule list that denies every request is almost surely a mistake; say which one and how to fix it. */
export function checkRules(rules: readonly AccessRule[]): readonly string[] {
  if (rules.length === 0)
    return [
      'There are no access rules, so every request is denied: add rules to the config (see backup-bot.example.yml).',
    ];
  const catchAll = rules.findIndex((r) => r.everyone === true && !narrows(r));
  if (catchAll >= 0 && rules.slice(0, catchAll + 1).every((r) => r.decision === 'deny')) {
    const rule = rules[catchAll];
    return [
      `Rule "${rule?.name ?? ''}" (everyone: true, decision: deny) comes first among the rules that can match, so ` +
        'every request is denied: move the rules that allow or ask for approval above it, or remove it (no match already means deny).',
    ];
  }
  if (rules.every((r) => r.decision === 'deny'))
    return [
      'Every access rule says decision: deny, so every request is denied: give at least one rule decision: allow or require_approval.',
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
