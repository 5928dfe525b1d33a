import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Reply, SandboxContext, SandboxRequest } from './http-util';
import { reply } from './http-util';
import type { SandboxProject } from './model';
import { formatIamTime } from './model';

const NameOrId = z.object({ name: z.string().optional(), id: z.string().optional() });

const TokenRequestSchema = z.object({
  auth: z.object({
    identity: z.object({
      methods: z.array(z.string()),
      password: z
        .object({
          user: z.object({
            name: z.string().optional(),
            id: z.string().optional(),
            password: z.string(),
            domain: NameOrId.optional(),
          }),
        })
        .optional(),
    }),
    scope: z.object({ project: NameOrId.optional(), domain: NameOrId.optional() }).optional(),
  }),
});
type TokenRequest = z.infer<typeof TokenRequestSchema>;

/** Stable ids for the sandbox user and domain (32 hex, like IAM's). */
export function iamIdOf(kind: 'user' | 'domain', name: string): string {
  return createHash('sha256').update(`${kind}/${name}`).digest('hex').slice(0, 32);
}

function iamError(status: number, title: string, message: string): Reply {
  return reply(status, { error: { code: status, message, title } });
}

/** `POST /v3/auth/tokens`: password method, scoped to a project (by id, name or region name). */
export function handleIssueToken(ctx: SandboxContext, req: SandboxRequest): Reply {
  let raw: unknown;
  try {
    raw = JSON.parse(req.body.toString('utf8'));
  } catch {
    return iamError(400, 'Bad Request', 'The request body is not valid JSON.');
  }
  const parsed = TokenRequestSchema.safeParse(raw);
  if (!parsed.success) return iamError(400, 'Bad Request', 'The request body is invalid.');
  const { identity, scope } = parsed.data.auth;
  if (!identity.methods.includes('password') || identity.password === undefined) {
    return iamError(400, 'Bad Request', 'Only the password method is supported.');
  }
  if (!isSandboxUser(ctx, identity.password.user)) {
    return iamError(401, 'Unauthorized', 'The username or password is wrong.');
  }
  const project = scope?.project === undefined ? undefined : findProject(ctx.projects, scope.project);
  if (scope?.project !== undefined && project === undefined) {
    return iamError(401, 'Unauthorized', 'The project does not exist or the user has no access to it.');
  }
  const issued = ctx.tokens.issue(project?.id, ctx.now(), ctx.tokenTtlMs);
  const answer = reply(201, tokenBody(ctx, parsed.data, project, issued.issuedAt, issued.expiresAt), {
    'X-Subject-Token': issued.token,
  });
  return project === undefined ? answer : { ...answer, projectId: project.id };
}

function isSandboxUser(
  ctx: SandboxContext,
  user: NonNullable<TokenRequest['auth']['identity']['password']>['user'],
): boolean {
  const { username, password, domainName } = ctx.credentials;
  const domainOk = user.domain?.name === domainName || user.domain?.id === iamIdOf('domain', domainName);
  const byName = user.name === username && domainOk;
  const byId = user.name === undefined && user.id === iamIdOf('user', username);
  return (byName || byId) && user.password === password;
}

function findProject(projects: readonly SandboxProject[], ref: { name?: string | undefined; id?: string | undefined }) {
  if (ref.id !== undefined) return projects.find((p) => p.id === ref.id);
  if (ref.name === undefined) return undefined;
  return projects.find((p) => p.name === ref.name) ?? projects.find((p) => p.region === ref.name);
}

function tokenBody(
  ctx: SandboxContext,
  request: TokenRequest,
  project: SandboxProject | undefined,
  issuedAt: Date,
  expiresAt: Date,
) {
  const { username, domainName } = ctx.credentials;
  const domain = { id: iamIdOf('domain', domainName), name: domainName };
  return {
    token: {
      methods: request.auth.identity.methods.filter((m) => m === 'password'),
      expires_at: formatIamTime(expiresAt),
      issued_at: formatIamTime(issuedAt),
      user: { domain, id: iamIdOf('user', username), name: username, password_expires_at: '' },
      ...(project === undefined ? { domain } : { project: { id: project.id, name: project.name, domain } }),
      catalog: [],
      roles: [
        { name: 'te_admin', id: iamIdOf('domain', 'role/te_admin') },
        { name: 'op_gated_vbs', id: iamIdOf('domain', 'role/op_gated_vbs') },
      ],
    },
  };
}
