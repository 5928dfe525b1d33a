import type { z } from 'zod';
import type { Approvers } from '../domain/backup-request';
import { pickCloudAuth } from './cloud-auth';
import { ConfigError } from './config-error';
import type { Config, SlackConfig } from './config-schema';
import { configSchema } from './config-schema';
import type { Env } from './env-schema';
import { envSchema } from './env-schema';
import type { ConfigSources } from './read-config-file';
import { describeIssues, readConfigFile } from './read-config-file';

export type { ApprovalsConfig, CloudAuth, CloudCredentials, Config, ProjectConfig, SlackConfig } from './config-schema';
export type { ConfigSources } from './read-config-file';

export const DEFAULT_CONFIG_PATH = './backup-bot.yml';

function approversOf(a: { usergroups?: string[] | undefined; users?: string[] | undefined }): Approvers {
  return { usergroups: (a.usergroups ?? []).map((h) => h.replace(/^@/, '')), users: a.users ?? [] };
}

/** Socket Mode when an app token is set (it needs no signing secret); HTTP mode needs the signing secret. */
function pickSlackMode(env: Env, problems: string[]): SlackConfig | undefined {
  const common = { botToken: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL, port: env.PORT };
  if (env.SLACK_APP_TOKEN !== undefined) return { mode: 'socket', ...common, appToken: env.SLACK_APP_TOKEN };
  if (env.SLACK_SIGNING_SECRET !== undefined)
    return { mode: 'http', ...common, signingSecret: env.SLACK_SIGNING_SECRET };
  problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (set SLACK_APP_TOKEN instead for Socket Mode)');
  return undefined;
}

/** Reads and validates the environment and the YAML file once; every problem is reported together. */
export function loadConfig(rawEnv: Readonly<Record<string, string | undefined>>, sources: ConfigSources): Config {
  const problems: string[] = [];
  const envResult = envSchema.safeParse(rawEnv);
  if (!envResult.success) problems.push(...describeIssues(envResult.error.issues, ''));
  const configPath =
    (typeof rawEnv['BACKUP_BOT_CONFIG'] === 'string' && rawEnv['BACKUP_BOT_CONFIG'].trim()) || DEFAULT_CONFIG_PATH;
  const file = readConfigFile(configPath, sources);
  if (Array.isArray(file)) problems.push(...file);
  // The checks across variables run whenever the environment parsed, so one start lists everything.
  if (!envResult.success) throw new ConfigError(problems);
  const env = envResult.data;
  const slack = pickSlackMode(env, problems);
  const auth = pickCloudAuth(env, Array.isArray(file) ? false : file.cloud.sandbox, problems);
  if (Array.isArray(file) || slack === undefined || auth === undefined || problems.length > 0)
    throw new ConfigError(problems);

  const noneMarkedDefault = !file.projects.some((p) => p.default === true);
  const candidate: z.input<typeof configSchema> = {
    configPath,
    logLevel: env.LOG_LEVEL,
    slack,
    cloud: {
      auth,
      region: file.cloud.region,
      authUrl: file.cloud.auth_url,
      endpoints: {
        vbs: file.cloud.endpoints?.vbs,
        cbr: file.cloud.endpoints?.cbr,
        evs: file.cloud.endpoints?.evs,
        ecs: file.cloud.endpoints?.ecs,
      },
      chunkSize: file.cloud.associate_chunk_size,
      concurrency: file.cloud.associate_concurrency,
      connectTimeoutMs: file.cloud.timeouts.connect_ms,
      responseTimeoutMs: file.cloud.timeouts.response_ms,
    },
    // The lower-case name first when both are set, as curl and undici read them.
    proxy: {
      httpsProxy: env.https_proxy ?? env.HTTPS_PROXY,
      httpProxy: env.http_proxy ?? env.HTTP_PROXY,
      noProxy: env.no_proxy ?? env.NO_PROXY,
    },
    databaseUrl: env.DATABASE_URL,
    projects: file.projects.map((p, i) => ({
      name: p.name,
      id: p.id,
      region: p.region ?? file.cloud.region,
      isDefault: p.default === true || (i === 0 && noneMarkedDefault),
      service: p.service,
    })),
    limits: {
      maxVolumesPerRequest: file.limits.max_volumes_per_request,
      requestsPerUserPerMinute: file.limits.requests_per_user_per_minute,
    },
    access: {
      allowedTeamIds: file.slack?.allowed_team_ids,
      rules: file.rules.map((r) => ({
        name: r.name,
        users: r.users,
        usergroups: r.usergroups,
        channels: r.channels,
        policies: r.policies,
        projects: r.projects,
        maxVolumes: r.max_volumes,
        everyone: r.everyone,
        actions: r.actions,
        decision: r.decision,
        approvers: r.approvers && approversOf(r.approvers),
        ttlMs: r.ttl,
        requireReason: r.require_reason,
      })),
    },
    approvals: file.approvals && {
      channel: file.approvals.channel,
      approvers: approversOf(file.approvals.approvers),
      ttlMs: file.approvals.ttl,
      remindAfterMs: file.approvals.remind_after,
    },
    execution: {
      runLeaseMs: file.execution.run_lease,
      firstBackup: {
        firstLookMs: file.execution.first_backup.first_look,
        graceAfterNowMs: file.execution.first_backup.grace_after_now,
        graceAfterScheduleMs: file.execution.first_backup.grace_after_schedule,
      },
    },
  };
  const config = configSchema.safeParse(candidate);
  if (!config.success) throw new ConfigError(describeIssues(config.error.issues, ''));
  return config.data;
}
