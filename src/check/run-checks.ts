import type { WebClient } from '@slack/web-api';
import type { Config } from '../config/load-config';
import type { BackupBackend } from '../otc/types';
import { checkCloud } from './cloud-checks';
import { checkRules, namedUsergroups } from './config-checks';
import { checkApprovalsChannel, checkAppToken, checkSlackToken, checkUsergroups } from './slack-checks';

export interface CheckReport {
  /** One sentence each, with the fix. */
  readonly problems: readonly string[];
  /** What was not checked and why (e.g. the sandbox is in use). */
  readonly notes: readonly string[];
}

export interface CheckTargets {
  readonly config: Pick<Config, 'access' | 'approvals' | 'projects'>;
  readonly web: WebClient;
  /** Socket Mode: a client with the app-level token, whose token is checked too. */
  readonly appWeb?: Pick<WebClient, 'apps'> | undefined;
  /** Absent in sandbox mode: there is no real cloud to check. */
  readonly cloud: Pick<BackupBackend, 'listTargets'> | undefined;
}

/** The set-up self-check: Slack token and team (and the app-level token in Socket Mode), approvals channel, user groups, cloud access, rules. */
export async function runChecks({ config, web, appWeb, cloud }: CheckTargets): Promise<CheckReport> {
  const problems: string[] = [];
  const notes: string[] = [];
  const token = await checkSlackToken(web, config.access.allowedTeamIds);
  problems.push(...token.problems);
  if (appWeb !== undefined) {
    const app = await checkAppToken(appWeb);
    problems.push(...app.problems);
    notes.push(...app.notes);
  }
  // Without a valid token every other Slack call fails the same way; one sentence says it all.
  if (token.ok) {
    if (config.approvals !== undefined) problems.push(...(await checkApprovalsChannel(web, config.approvals.channel)));
    problems.push(...(await checkUsergroups(web, namedUsergroups(config))));
  }
  if (cloud === undefined) notes.push('The built-in OTC sandbox is in use, so the cloud credentials were not checked.');
  else problems.push(...(await checkCloud(cloud, config.projects)));
  problems.push(...checkRules(config.access.rules));
  return { problems, notes };
}
