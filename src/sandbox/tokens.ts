import { randomBytes } from 'node:crypto';

export interface IssuedToken {
  readonly token: string;
  /** Undefined for a domain-scoped token (valid for IAM only, refused by VBS and EVS). */
  readonly projectId: string | undefined;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
}

/** IAM tokens the sandbox issued. Opaque, random and long, like OTC's (`MII...`). */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken & { expired: boolean }>();

  issue(projectId: string | undefined, issuedAt: Date, ttlMs: number): IssuedToken {
    const token = `MII${randomBytes(480).toString('base64url')}`;
    const issued = { token, projectId, issuedAt, expiresAt: new Date(issuedAt.getTime() + ttlMs) };
    this.tokens.set(token, { ...issued, expired: false });
    return issued;
  }

  /** 'unknown', 'expired' (by the clock or by `expireAll`), or the token. */
  lookup(token: string, now: Date): IssuedToken | 'unknown' | 'expired' {
    const found = this.tokens.get(token);
    if (found === undefined) return 'unknown';
    if (found.expired || now.getTime() >= found.expiresAt.getTime()) return 'expired';
    return found;
  }

  expireAll(): void {
    for (const entry of this.tokens.values()) entry.expired = true;
  }
}
