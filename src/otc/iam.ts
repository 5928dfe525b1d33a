import { isValid } from 'date-fns/isValid';
import { parseISO } from 'date-fns/parseISO';
import { z } from 'zod';
import { OtcAuthError, OtcHttpError, OtcResponseShapeError } from './errors';
import { buildUrl, resolveEndpoint } from './endpoints';
import type { HttpCore } from './http';
import { firstHeader } from './response-body';
import type { IssuedToken } from './token-cache';
import type { ProjectRef } from './types';

/** The part of IAM's token body the client needs; everything else (catalog, roles, user) is ignored. */
export const iamTokenBodySchema = z.object({
  token: z.object({
    expires_at: z.string().refine((text) => isValid(parseISO(text)), { error: 'not an ISO 8601 date' }),
  }),
});

export interface PasswordIdentity {
  readonly username: string;
  readonly password: string;
  readonly domainName: string;
}

/**
 * `POST {iam}/auth/tokens` with password identity and project scope -> 201, the token in the
 * `X-Subject-Token` header, `token.expires_at` in the body. A 401/403 is an OtcAuthError (never
 * retried); 5xx and network errors follow the retry policy.
 */
export function createTokenIssuer(
  http: HttpCore,
  iamTemplate: string,
  identity: PasswordIdentity,
): (project: ProjectRef) => Promise<IssuedToken> {
  return async (project) => {
    const url = buildUrl(resolveEndpoint(iamTemplate, project.region), ['auth', 'tokens']);
    const body = {
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: identity.username, password: identity.password, domain: { name: identity.domainName } },
          },
        },
        scope: { project: { id: project.id } },
      },
    };
    try {
      const result = await http.call({
        method: 'POST',
        url,
        body,
        schema: iamTokenBodySchema,
        secrets: [identity.password],
      });
      const value = firstHeader(result.headers, 'x-subject-token');
      if (value === undefined) {
        throw new OtcResponseShapeError(
          { method: 'POST', path: url.pathname },
          result.status,
          ['(headers): X-Subject-Token missing'],
          result.otcRequestId,
        );
      }
      return { value, expiresAt: parseISO(result.value.token.expires_at) };
    } catch (e) {
      if (e instanceof OtcHttpError && (e.status === 401 || e.status === 403)) {
        const detail =
          e.otcCode === undefined ? 'IAM refused the credentials' : `IAM refused the credentials (${e.otcCode})`;
        const authError = new OtcAuthError({ method: 'POST', path: url.pathname }, e.status, detail);
        authError.attempts = e.attempts;
        throw authError;
      }
      throw e;
    }
  };
}
