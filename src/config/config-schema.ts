import { z } from 'zod';
import type { AccessPolicy } from '../domain/access-rules';
import type { Approvers } from '../domain/backup-request';
import { asProjectId } from '../domain/ids';

/**
 * The config the bot runs with, declared once: its types are inferred from these schemas, and
 * loadConfig parses what it built from the environment and the file through `configSchema`, so
 * what it hands out is exactly this shape. The values were checked where they came from
 * (env-schema, file-schema, cloud-auth); what this adds are the unions that leave out the
 * combinations that cannot work (HTTP mode without a signing secret, a real cloud without
 * credentials), so no consumer has to assert that a field is there.
 */

const slackCommon = {
  botToken: z.string(),
  /** Where the Web API is: Slack's own when absent; tests and the demo point it at a stand-in. */
  apiUrl: z.string().optional(),
  /** The bot's HTTP port: Slack's requests in HTTP mode, /healthz in both modes. */
  port: z.number().int(),
};

export const slackConfigSchema = z.discriminatedUnion('mode', [
  /** Slack sends requests to the bot; each is verified with the signing secret. */
  z.object({ mode: z.literal('http'), ...slackCommon, signingSecret: z.string() }).readonly(),
  /** The bot connects out to Slack with the app-level token (xapp-…); no public URL needed. */
  z.object({ mode: z.literal('socket'), ...slackCommon, appToken: z.string() }).readonly(),
]);

/** The kinds match the OTC client's credentials, so a real cloud's auth is passed to it as it is. */
const passwordCredentials = z
  .object({ kind: z.literal('password'), username: z.string(), password: z.string(), domainName: z.string() })
  .readonly();
const akskCredentials = z.object({ kind: z.literal('aksk'), accessKey: z.string(), secretKey: z.string() }).readonly();

/** The credentials of a real cloud: an IAM password (the bot gets a token) or an AK/SK pair (it signs). */
export const cloudCredentialsSchema = z.discriminatedUnion('kind', [passwordCredentials, akskCredentials]);

/** How the bot reaches the cloud: the built-in emulator, which brings its own account, or a real cloud. */
export const cloudAuthSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sandbox') }).readonly(),
  passwordCredentials,
  akskCredentials,
]);

const optionalText = z.string().optional();

export const projectConfigSchema = z
  .object({
    name: z.string(),
    id: z.string().transform(asProjectId),
    region: z.string(),
    isDefault: z.boolean(),
    service: z.enum(['vbs', 'cbr']),
  })
  .readonly();

export const approvalsConfigSchema = z
  .object({
    /** Where approval cards are posted. */
    channel: z.string(),
    approvers: z.custom<Approvers>(),
    ttlMs: z.number(),
    remindAfterMs: z.number().optional(),
  })
  .readonly();

const configFieldsSchema = z.object({
  configPath: z.string(),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']),
  slack: slackConfigSchema,
  cloud: z
    .object({
      auth: cloudAuthSchema,
      region: z.string(),
      authUrl: optionalText,
      endpoints: z.object({ vbs: optionalText, cbr: optionalText, evs: optionalText, ecs: optionalText }).readonly(),
      chunkSize: z.number().int(),
      concurrency: z.number().int(),
      connectTimeoutMs: z.number(),
      responseTimeoutMs: z.number(),
    })
    .readonly(),
  /** HTTPS_PROXY, HTTP_PROXY, NO_PROXY: for the cloud and for Slack alike. */
  proxy: z.object({ httpsProxy: optionalText, httpProxy: optionalText, noProxy: z.string().optional() }).readonly(),
  /** `postgres://…` for several replicas, `sqlite:<path>`, or absent for ./data/backup-bot.db. */
  databaseUrl: z.string().optional(),
  projects: z.array(projectConfigSchema).readonly(),
  limits: z.object({ maxVolumesPerRequest: z.number().int(), requestsPerUserPerMinute: z.number().int() }).readonly(),
  /** The domain owns the shape of the rules; the file schema checked them. */
  access: z.custom<AccessPolicy>(),
  /** Present when any rule may require approval. */
  approvals: approvalsConfigSchema.optional(),
  execution: z
    .object({
      runLeaseMs: z.number(),
      firstBackup: z
        .object({ firstLookMs: z.number(), graceAfterNowMs: z.number(), graceAfterScheduleMs: z.number() })
        .readonly(),
    })
    .readonly(),
});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export const configSchema = configFieldsSchema
  // The project a command that names none acts in; the one marked default, so a config without one is refused.
  .transform((fields, ctx) => {
    const defaultProject = fields.projects.find((p) => p.isDefault);
    if (defaultProject === undefined) {
      ctx.addIssue({ code: 'custom', path: ['projects'], message: 'one project must be the default' });
      return z.NEVER;
    }
    return { ...fields, defaultProject };
  })
  .readonly()
  // readonly() gives the types their modifiers; the config is frozen all the way down, the domain-typed parts too.
  .transform(deepFreeze);

export type Config = z.output<typeof configSchema>;
export type SlackConfig = z.output<typeof slackConfigSchema>;
export type CloudAuth = z.output<typeof cloudAuthSchema>;
export type CloudCredentials = z.output<typeof cloudCredentialsSchema>;
export type ProjectConfig = z.output<typeof projectConfigSchema>;
export type ApprovalsConfig = z.output<typeof approvalsConfigSchema>;
