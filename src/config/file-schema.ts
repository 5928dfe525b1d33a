import { z } from 'zod';
import { parseDuration } from '../domain/duration';

/** The YAML rules file (snake_case), shipped as backup-bot.example.yml. Unknown keys are errors: a typo must not widen access. */
const nonEmpty = z.string().trim().min(1);
const list = z.array(nonEmpty).min(1);

/** "30m", "4h", "1h30m", "2d" -> milliseconds. */
const duration = z.string().transform((text, ctx) => {
  const parsed = parseDuration(text);
  if (!parsed.ok) {
    ctx.addIssue({ code: 'custom', message: parsed.error });
    return z.NEVER;
  }
  return parsed.value;
});

const approversSchema = z
  .strictObject({ usergroups: list.optional(), users: list.optional() })
  .refine((a) => a.usergroups !== undefined || a.users !== undefined, { error: 'name approver usergroups or users' });

const ruleSchema = z
  .strictObject({
    name: nonEmpty,
    users: list.optional(),
    usergroups: list.optional(),
    channels: list.optional(),
    policies: list.optional(),
    projects: list.optional(),
    max_volumes: z.number().int().positive().optional(),
    everyone: z.boolean().optional(),
    /** What the rule covers; leaving it out means `[associate]`, so rule files from before undo grant nothing new. */
    actions: z
      .array(z.enum(['associate', 'disassociate', 'backup_now']))
      .min(1)
      .optional(),
    decision: z.enum(['allow', 'deny', 'require_approval']),
    /** The request must say why (--reason, or the form's reason field). */
    require_reason: z.boolean().optional(),
    /** Only with require_approval: who approves and how long the request waits, instead of approvals.*. */
    approvers: approversSchema.optional(),
    ttl: duration.optional(),
  })
  .refine((r) => r.decision === 'require_approval' || (r.approvers === undefined && r.ttl === undefined), {
    error: 'approvers and ttl belong only to rules with decision: require_approval',
  })
  .refine(
    (r) =>
      r.everyone === true ||
      [r.users, r.usergroups, r.channels, r.policies, r.projects, r.max_volumes].some((s) => s !== undefined),
    {
      error:
        'a rule must name at least one selector (users, usergroups, channels, policies, projects, max_volumes) or everyone: true',
    },
  );

const projectSchema = z.strictObject({
  name: nonEmpty.max(64).regex(/^[\w.-]+$/, 'letters, digits, ".", "-" and "_" only'),
  id: z.string().regex(/^[0-9a-f]{32}$/, 'an OTC project id: 32 hex characters'),
  region: nonEmpty.optional(),
  default: z.boolean().optional(),
  /** VBS (backup policies; the default) or CBR (vaults): new OTC projects can only use CBR. */
  service: z.enum(['vbs', 'cbr']).default('vbs'),
});

const urlTemplate = z
  .string()
  .regex(/^https?:\/\/[^\s]+$/, 'an http(s) URL; {region} is replaced by the project region');

export const fileSchema = z
  .strictObject({
    slack: z
      .strictObject({
        // Leaving the key out means "the token's own workspace"; an empty list would read as "none"
        // or "all" depending on who reads it, so it is refused.
        allowed_team_ids: z
          .array(z.string().regex(/^[TE][A-Z0-9]+$/, 'a Slack team id like T0123ABCD'))
          .min(1, "list at least one team id, or leave the key out for the bot token's own workspace")
          .optional(),
      })
      .optional(),
    cloud: z.strictObject({
      region: nonEmpty.default('eu-de'),
      auth_url: urlTemplate.optional(),
      endpoints: z
        .strictObject({
          vbs: urlTemplate.optional(),
          cbr: urlTemplate.optional(),
          evs: urlTemplate.optional(),
          ecs: urlTemplate.optional(),
        })
        .optional(),
      sandbox: z.boolean().default(false),
      associate_chunk_size: z.number().int().min(1).max(100).default(20),
      associate_concurrency: z.number().int().min(1).max(8).default(2),
      timeouts: z
        .strictObject({
          connect_ms: z.number().int().min(100).max(120_000).default(10_000),
          response_ms: z.number().int().min(100).max(600_000).default(30_000),
        })
        .default({ connect_ms: 10_000, response_ms: 30_000 }),
    }),
    projects: z.array(projectSchema).min(1),
    limits: z
      .strictObject({
        max_volumes_per_request: z.number().int().min(1).max(1000).default(100),
        /** Requests one person may make in any minute, at every entry point (per replica). */
        requests_per_user_per_minute: z.number().int().min(1).max(10_000).default(10),
      })
      .default({ max_volumes_per_request: 100, requests_per_user_per_minute: 10 }),
    rules: z.array(ruleSchema).default([]),
    approvals: z
      .strictObject({
        channel: z
          .string()
          .regex(/^[CG][A-Z0-9]{6,}$/, 'a channel id like C0123ABCD (the bot must be able to post there)'),
        approvers: approversSchema,
        ttl: duration.default(4 * 3_600_000),
        remind_after: duration.optional(),
      })
      .refine((a) => a.remind_after === undefined || a.remind_after < a.ttl, {
        error: 'remind_after must be shorter than ttl',
        path: ['remind_after'],
      })
      .optional(),
    execution: z
      .strictObject({
        /** A running request is its replica's for this long without a heartbeat; then another may resume it. */
        run_lease: duration.default(15_000),
        /** Watching each added volume's first backup: when to look first, how long to wait for it. */
        first_backup: z
          .strictObject({
            first_look: duration.default(30_000),
            grace_after_now: duration.default(3_600_000),
            grace_after_schedule: duration.default(7_200_000),
          })
          .default({ first_look: 30_000, grace_after_now: 3_600_000, grace_after_schedule: 7_200_000 }),
      })
      .default({
        run_lease: 15_000,
        first_backup: { first_look: 30_000, grace_after_now: 3_600_000, grace_after_schedule: 7_200_000 },
      }),
  })
  .superRefine((file, ctx) => {
    const dup = (values: string[], path: (string | number)[], what: string) => {
      const seen = new Set<string>();
      values.forEach((v, i) => {
        if (seen.has(v)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `duplicate ${what}` });
        seen.add(v);
      });
    };
    dup(
      file.projects.map((p) => p.name),
      ['projects'],
      'project name',
    );
    dup(
      file.projects.map((p) => p.id),
      ['projects'],
      'project id',
    );
    dup(
      file.rules.map((r) => r.name),
      ['rules'],
      'rule name',
    );
    const projectNames = new Set(file.projects.map((p) => p.name));
    file.rules.forEach((rule, i) =>
      rule.projects?.forEach((name, j) => {
        if (!projectNames.has(name))
          ctx.addIssue({
            code: 'custom',
            path: ['rules', i, 'projects', j],
            message: 'names no project under projects',
          });
      }),
    );
    file.rules.forEach((rule, i) => {
      if (rule.decision === 'require_approval' && file.approvals === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'decision'],
          message: 'require_approval needs an approvals: block (channel, approvers)',
        });
      }
    });
    if (file.projects.filter((p) => p.default === true).length > 1) {
      ctx.addIssue({ code: 'custom', path: ['projects'], message: 'at most one project may be the default' });
    }
  });

export type ConfigFile = z.infer<typeof fileSchema>;
