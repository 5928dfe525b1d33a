import type { Clock } from '../domain/clock';
import { signRequest } from './signer';
import type { TokenCache } from './token-cache';
import type { ProjectRef } from './types';

/** Which credentials are configured decides how requests are authenticated. */
export type OtcCredentials =
  | {
      readonly kind: 'password';
      readonly username: string;
      readonly password: string;
      /** The account (domain) name the IAM user belongs to. */
      readonly domainName: string;
    }
  | { readonly kind: 'aksk'; readonly accessKey: string; readonly secretKey: string };

/** A request about to be sent, as the authorizer needs to see it. */
export interface OutgoingRequest {
  readonly method: string;
  /** Full URL, query included, exactly as it will be sent. */
  readonly url: URL;
  readonly body: string;
  readonly project: ProjectRef;
}

export interface AuthGrant {
  readonly headers: Readonly<Record<string, string>>;
  /** The secret parts of `headers` (token, signature), scrubbed from anything the cloud echoes back. */
  readonly secrets: readonly string[];
  /**
   * The cloud answered 401 to these headers. Returns true when a fresh grant is worth one replay
   * (a token can be re-issued; an AK/SK signature cannot get better).
   */
  readonly reject: () => boolean;
}

export interface RequestAuthorizer {
  readonly kind: 'token' | 'aksk';
  authorize(request: OutgoingRequest): Promise<AuthGrant>;
  /** Secret values in memory (password, SK, tokens) so text the cloud echoes back can be scrubbed of them. */
  knownSecrets(): readonly string[];
}

/** IAM token auth: `X-Auth-Token` from the per-project cache; a 401 drops that token so the replay gets a new one. */
export function createTokenAuthorizer(cache: TokenCache, password: string): RequestAuthorizer {
  return {
    kind: 'token',
    async authorize(request) {
      const token = await cache.getToken(request.project);
      return {
        headers: { 'X-Auth-Token': token },
        secrets: [token],
        reject: () => {
          cache.invalidate(request.project.id, token);
          return true;
        },
      };
    },
    knownSecrets: () => [password, ...cache.knownTokens()],
  };
}

/**
 * AK/SK auth: every request signed ("SDK-HMAC-SHA256", `Credential=` flavour, empty region and
 * service as gophertelekomcloud does) over `host`, `x-project-id` and `x-sdk-date`.
 */
export function createAkSkAuthorizer(keys: { accessKey: string; secretKey: string }, clock: Clock): RequestAuthorizer {
  return {
    kind: 'aksk',
    authorize(request) {
      const signed = signRequest(
        {
          method: request.method,
          path: request.url.pathname,
          query: [...request.url.searchParams.entries()],
          headers: { host: request.url.host, 'x-project-id': request.project.id },
          body: request.body,
        },
        keys,
        { flavour: 'credential', date: new Date(clock.now()), region: '', service: '' },
      );
      return Promise.resolve({
        headers: {
          'X-Sdk-Date': signed.sdkDate,
          'X-Project-Id': request.project.id,
          Authorization: signed.authorization,
        },
        secrets: [signed.authorization, signatureOf(signed.authorization)],
        reject: () => false,
      });
    },
    knownSecrets: () => [keys.secretKey, keys.accessKey],
  };
}

function signatureOf(authorization: string): string {
  return /Signature=([0-9a-f]+)/.exec(authorization)?.[1] ?? authorization;
}
