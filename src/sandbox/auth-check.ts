import { timingSafeEqual } from 'node:crypto';
import type { Reply, SandboxContext, SandboxRequest } from './http-util';
import { gatewayError, headerValue, reply } from './http-util';
import { computeSignature } from './signature-check';
import { vbsError } from './vbs-codes';

type AuthService = 'vbs' | 'evs' | 'ecs' | 'cbr';

export type AuthOutcome =
  { readonly ok: true; readonly via: 'token' | 'aksk' } | { readonly ok: false; readonly reply: Reply };

/** How far X-Sdk-Date may be from the clock, either way. */
export const SDK_DATE_TOLERANCE_MS = 15 * 60_000;

const AUTH_RE =
  /^SDK-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]*)\/([^/,\s]*)\/sdk_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$/;
const SDK_DATE_RE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/**
 * Checks that a VBS/EVS/ECS/CBR request may act in `projectId`: an IAM token this sandbox issued, unexpired
 * and scoped to that project, or an AK/SK signature (`Credential=` flavour) that recomputes exactly.
 * VBS refuses with its own codes; EVS and ECS an expired token in Keystone's shape; CBR, whose errors
 * are flat `error_code`/`error_msg` bodies like the gateway's, is refused by the gateway in every case.
 */
export function checkAuth(
  ctx: SandboxContext,
  req: SandboxRequest,
  projectId: string,
  service: AuthService,
): AuthOutcome {
  const token = headerValue(req.headers, 'x-auth-token');
  if (token !== undefined && token !== '') return checkToken(ctx, req, token, projectId, service);
  const authorization = headerValue(req.headers, 'authorization');
  if (authorization !== undefined) return checkSignature(ctx, req, authorization, projectId);
  return service === 'vbs' ? deny(vbsError(401, 'AutoBackup.0002')) : denyGateway(req, 'no token or signature');
}

function checkToken(
  ctx: SandboxContext,
  req: SandboxRequest,
  token: string,
  projectId: string,
  service: AuthService,
): AuthOutcome {
  const found = ctx.tokens.lookup(token, ctx.now());
  if (found === 'unknown') return denyGateway(req, 'decrypt token fail');
  if (found === 'expired') {
    if (service === 'vbs') return deny(vbsError(401, 'AutoBackup.0003'));
    if (service === 'cbr') return denyGateway(req, 'the token has expired');
    return deny(reply(401, { error: { code: 401, title: 'Unauthorized', message: 'The token has expired.' } }));
  }
  if (found.projectId !== projectId) return denyGateway(req, 'the token is not scoped to the project in the request');
  return { ok: true, via: 'token' };
}

function checkSignature(
  ctx: SandboxContext,
  req: SandboxRequest,
  authorization: string,
  projectId: string,
): AuthOutcome {
  const match = AUTH_RE.exec(authorization.trim());
  if (match === null) return denyGateway(req, 'unsupported authorization header');
  const [, accessKey = '', day = '', region = '', service = '', signedHeaderList = '', signature = ''] = match;
  if (accessKey !== ctx.credentials.accessKey) return denyGateway(req, `ak ${accessKey} not exist`);

  const sdkDate = headerValue(req.headers, 'x-sdk-date') ?? '';
  const signedAt = parseSdkDate(sdkDate);
  if (signedAt === undefined) return denyGateway(req, 'invalid or missing X-Sdk-Date');
  if (Math.abs(ctx.now().getTime() - signedAt.getTime()) > SDK_DATE_TOLERANCE_MS) {
    return denyGateway(req, 'the X-Sdk-Date is out of the allowed time range');
  }
  if (day !== sdkDate.slice(0, 8)) return denyGateway(req, 'the credential scope date does not match X-Sdk-Date');

  const headers = new Map<string, string>();
  for (const name of signedHeaderList.toLowerCase().split(';')) {
    const value = headerValue(req.headers, name);
    if (value === undefined) return denyGateway(req, `signed header ${name} is missing`);
    headers.set(name, value);
  }
  if (!headers.has('x-sdk-date')) return denyGateway(req, 'X-Sdk-Date is not among the signed headers');
  // Checked with the sandbox's own implementation, never the bot's signer (see signature-check.ts).
  const expectedSignature = computeSignature(
    { method: req.method, rawPath: req.path, rawQuery: req.rawQuery, headers, body: req.body },
    ctx.credentials.secretKey,
    { day, region, service },
  );
  if (!sameText(expectedSignature, signature.toLowerCase())) return denyGateway(req, 'verify aksk signature fail');

  const projectHeader = headerValue(req.headers, 'x-project-id');
  if (projectHeader !== projectId || !ctx.state.hasProject(projectId)) {
    return denyGateway(req, 'X-Project-Id is missing or does not match the project in the request');
  }
  return { ok: true, via: 'aksk' };
}

export function parseSdkDate(text: string): Date | undefined {
  const m = SDK_DATE_RE.exec(text);
  if (m === null) return undefined;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const valid = date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
  return valid ? date : undefined;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function deny(answer: Reply): AuthOutcome {
  return { ok: false, reply: answer };
}

function denyGateway(req: SandboxRequest, detail: string): AuthOutcome {
  return deny(gatewayError(401, 'APIGW.0301', `Incorrect IAM authentication information: ${detail}`, req.requestId));
}
