import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { SandboxProject } from './model';
import type { SandboxState } from './state';
import type { TokenStore } from './tokens';
import type { SandboxCredentials } from './types';

/** A request as the route handlers see it: body read, path split, nothing parsed yet. */
export interface SandboxRequest {
  readonly method: string;
  /** Raw path as sent (percent-encoded), without the query. */
  readonly path: string;
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Decoded path parameters (`projectId`, `policyId`, `volumeId`, `serverId`, `vaultId`, `backupId`, `checkpointId`). */
  readonly params: Readonly<Record<string, string>>;
  readonly requestId: string;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** The project the request acted in, for the request log. */
  readonly projectId?: string;
}

/** What the handlers share. */
export interface SandboxContext {
  readonly state: SandboxState;
  readonly tokens: TokenStore;
  readonly credentials: SandboxCredentials;
  readonly projects: readonly SandboxProject[];
  readonly now: () => Date;
  readonly tokenTtlMs: number;
  /** Most volumes one VBS associate call may carry (AutoBackup.0204 above). */
  readonly vbsMaxResourcesPerCall: number;
  /** Base URL, known once the server listens (used in EVS links). */
  readonly baseUrl: () => string;
}

export function reply(status: number, body?: unknown, headers?: Readonly<Record<string, string>>): Reply {
  return headers === undefined ? { status, body } : { status, body, headers };
}

/** OpenStack's 404 for a missing resource, e.g. `itemNotFound('Volume 591a…')`; the gateway's own 404 differs. */
export function itemNotFound(what: string): Reply {
  return reply(404, { itemNotFound: { code: 404, message: `${what} could not be found.` } });
}

/** The API gateway's own error body (in front of every OTC service), e.g. for rejected credentials. */
export function gatewayError(
  status: number,
  code: string,
  message: string,
  requestId: string,
  headers?: Readonly<Record<string, string>>,
): Reply {
  return reply(status, { error_msg: message, error_code: code, request_id: requestId }, headers);
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

export const MAX_BODY_BYTES = 1024 * 1024;

/** The whole request body, or 'too-large' past MAX_BODY_BYTES (the rest is read and dropped). */
export async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  return size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks);
}
