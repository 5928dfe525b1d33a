import type { AccessPolicy } from '../domain/access-rules';
import type { Approvers } from '../domain/backup-request';
import type { ProjectId } from '../domain/ids';
import { asProjectId } from '../domain/ids';
import { ConfigError } from './config-error';
import type { CloudCredentials } from './credentials';
import { pickCredentials } from './credentials';
import { envSchema } from './env-schema';
import type { ConfigSources } from './read-config-file';
import { describeIssues, readConfigFile } from './read-config-file';

export type { CloudCredentials } from './credentials';
export type { ConfigSources } from './read-config-file';

export const DEFAULT_CONFIG_PATH = './backup-bot.yml';

export interface ProjectConfig {
  readonly name: string;
  readonly id: ProjectId;
  readonly region: string;
  readonly isDefault: boolean;
}

export interface Config {
  readonly configPath: string;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly slack: {
    readonly mode: 'http' | 'socket';
    readonly botToken: string;
    readonly signingSecret: string | undefined;
    readonly appToken: string | undefined;
    readonly apiUrl: string | undefined;
    readonly port: number;
  };
  readonly cloud: {
    readonly sandbox: boolean;
    readonly region: string;
    readonly authUrl: string | undefined;
    readonly endpoints: {
      readonly vbs: string | undefined;
      readonly evs: string | undefined;
      readonly ecs: string | undefined;
    };
    /** Undefined only in sandbox mode (the sandbox brings its own). */
    readonly credentials: CloudCredentials | undefined;
    readonly proxy: {
      readonly httpsProxy: string | undefined;
      readonly httpProxy: string | undefined;
      readonly noProxy: string | undefined;
    };
    readonly chunkSize: number;
    readonly concurrency: number;
    readonly connectTimeoutMs: number;
    readonly responseTimeoutMs: number;
  };
  /** `postgres://…` for several replicas, `sqlite:<path>`, or undefined for ./data/backup-bot.db. */
  readonly databaseUrl: string | undefined;
  readonly projects: readonly ProjectConfig[];
  readonly defaultProject: ProjectConfig;
  readonly limits: { readonly maxVolumesPerRequest: number };
  readonly access: AccessPolicy;
  /** Present when any rule may require approval. */
  readonly approvals: ApprovalsConfig | undefined;
  readonly execution: { readonly runLeaseMs: number };
}

export interface ApprovalsConfig {
  /** Where approval cards are posted. */
  readonly channel: string;
  readonly approvers: Approvers;
  readonly ttlMs: number;
  readonly remindAfterMs: number | undefined;
}

function approversOf(a: { usergroups?: string[] | undefined; users?: string[] | undefined }): Approvers {
  return { usergroups: (a.usergroups ?? []).map((h) => h.replace(/^@/, '')), users: a.users ?? [] };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
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
  let credentials: CloudCredentials | undefined;
  if (envResult.success) {
    const env = envResult.data;
    if (env.SLACK_APP_TOKEN === undefined && env.SLACK_SIGNING_SECRET === undefined) {
      problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (set SLACK_APP_TOKEN instead for Socket Mode)');
    }
    credentials = pickCredentials(env, Array.isArray(file) ? false : file.cloud.sandbox, problems);
  }
  if (!envResult.success || Array.isArray(file) || problems.length > 0) throw new ConfigError(problems);

  const env = envResult.data;
  const mode = env.SLACK_APP_TOKEN !== undefined ? 'socket' : 'http';

  const projects = file.projects.map((p, i) => ({
    name: p.name,
    id: asProjectId(p.id),
    region: p.region ?? file.cloud.region,
    isDefault: p.default === true || (i === 0 && !file.projects.some((q) => q.default === true)),
  }));
  const defaultProject = projects.find((p) => p.isDefault)!;

  return deepFreeze({
    configPath,
    logLevel: env.LOG_LEVEL,
    slack: {
      mode,
      botToken: env.SLACK_BOT_TOKEN,
      signingSecret: env.SLACK_SIGNING_SECRET,
      appToken: env.SLACK_APP_TOKEN,
      apiUrl: env.SLACK_API_URL,
      port: env.PORT,
    },
    cloud: {
      sandbox: file.cloud.sandbox,
      region: file.cloud.region,
      authUrl: file.cloud.auth_url,
      endpoints: { vbs: file.cloud.endpoints?.vbs, evs: file.cloud.endpoints?.evs, ecs: file.cloud.endpoints?.ecs },
      credentials,
      proxy: {
        httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
        httpProxy: env.HTTP_PROXY ?? env.http_proxy,
        noProxy: env.NO_PROXY ?? env.no_proxy,
      },
      chunkSize: file.cloud.associate_chunk_size,
      concurrency: file.cloud.associate_concurrency,
      connectTimeoutMs: file.cloud.timeouts.connect_ms,
      responseTimeoutMs: file.cloud.timeouts.response_ms,
    },
    databaseUrl: env.DATABASE_URL,
    projects,
    defaultProject,
    limits: { maxVolumesPerRequest: file.limits.max_volumes_per_request },
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
    execution: { runLeaseMs: file.execution.run_lease },
  });
}
