import type { z } from 'zod';

/**
 * Reading what the cloud answered: JSON text, error bodies in the four shapes OTC services use,
 * request ids, and zod issues turned into safe strings (paths and issue kinds, never values).
 */

export type JsonParse = { readonly ok: true; readonly value: unknown } | { readonly ok: false };

/**
 * JSON.parse, plus one tolerance: trailing commas before `}` or `]` (the IAM token example in OTC's
 * own docs has one). Commas inside strings are left alone. An empty body parses to `undefined`.
 */
export function parseJsonText(text: string): JsonParse {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    try {
      return { ok: true, value: JSON.parse(stripTrailingCommas(text)) as unknown };
    } catch {
      return { ok: false };
    }
  }
}

function stripTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i += 1;
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ',') {
      const rest = /^\s*([}\]])/.exec(text.slice(i + 1));
      if (rest) continue;
    }
    out += c;
  }
  return out;
}

export interface ErrorBodyInfo {
  readonly otcCode: string | undefined;
  readonly otcMessage: string | undefined;
  /** APIG puts `request_id` in the body; used when no request-id header came back. */
  readonly otcRequestId: string | undefined;
}

const NO_INFO: ErrorBodyInfo = { otcCode: undefined, otcMessage: undefined, otcRequestId: undefined };

/**
 * Error bodies as OTC services send them:
 *  - VBS / IAM: `{"error":{"code","message"[,"title"]}}` (IAM's code may be a number);
 *  - CBR / API gateway: `{"error_code","error_msg"[,"request_id"]}`;
 *  - EVS (Cinder style): `{"<kind>":{"code","message"}}`, e.g. `badrequest`, `itemNotFound`.
 */
export function parseErrorBody(text: string): ErrorBodyInfo {
  const parsed = parseJsonText(text);
  if (!parsed.ok || !isRecord(parsed.value)) return NO_INFO;
  const body = parsed.value;
  const otcRequestId = asText(body['request_id']);
  if (isRecord(body['error'])) {
    const inner = body['error'];
    return { otcCode: asText(inner['code']), otcMessage: asText(inner['message']), otcRequestId };
  }
  if ('error_code' in body || 'error_msg' in body) {
    return { otcCode: asText(body['error_code']), otcMessage: asText(body['error_msg']), otcRequestId };
  }
  const keys = Object.keys(body);
  const [kind] = keys;
  if (kind !== undefined && keys.length === 1) {
    const inner = body[kind];
    if (isRecord(inner) && ('message' in inner || 'code' in inner)) {
      return { otcCode: asText(inner['code']) ?? kind, otcMessage: asText(inner['message']), otcRequestId };
    }
  }
  return { ...NO_INFO, otcRequestId };
}

const REQUEST_ID_HEADERS = ['x-request-id', 'x-openstack-request-id', 'x-compute-request-id'] as const;

/** The first request id header present (undici hands header names in lower case). */
export function pickOtcRequestId(headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = firstHeader(headers, name);
    if (value) return value;
  }
  return undefined;
}

export function firstHeader(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/** `path.to.field: kind (expected type)`: enough to find the problem, nothing of the value. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    const expected = issue.code === 'invalid_type' ? ` (expected ${issue.expected})` : '';
    return `${path}: ${issue.code}${expected}`;
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
