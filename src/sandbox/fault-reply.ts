import { STATUS_CODES } from 'node:http';
import type { Reply } from './http-util';
import { gatewayError, reply } from './http-util';
import type { SandboxRoute } from './types';

/**
 * An injected failure, answered as the layer that would fail: the API gateway for 429 (throttling),
 * 502 (backend unavailable) and 504 (backend timeout), the service itself for 500, and a bare
 * gateway body without a code for any other status (a client must cope with a failure it cannot name).
 * A 403 on VBS or ECS is the service refusing a permission the account lacks (ECS answers in Nova's
 * shapes: `computeFault`, `forbidden`). CBR's 500 is flat like its other errors, without a code: the
 * CBR error table names no code for an internal error, and the sandbox invents none.
 */
export function faultReply(
  route: SandboxRoute,
  status: number,
  retryAfterSeconds: number | undefined,
  requestId: string,
): Reply {
  const headers = retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(retryAfterSeconds) };
  const gateway = GATEWAY_FAULTS[status];
  if (gateway !== undefined) return gatewayError(status, gateway[0], gateway[1], requestId, headers);
  if (status === 500 && route.startsWith('vbs.')) {
    return reply(500, { error: { code: 'AutoBackup.0009', message: VBS_INTERNAL_ERROR } }, headers);
  }
  if (status === 500 && route.startsWith('cbr.')) {
    return reply(500, { error_msg: 'Internal Server Error', request_id: requestId }, headers);
  }
  if (status === 500 && route.startsWith('ecs.')) {
    return reply(500, { computeFault: { code: 500, message: NOVA_INTERNAL_ERROR } }, headers);
  }
  if (status === 500) return reply(500, { error: { code: 500, message: 'Internal Server Error' } }, headers);
  if (status === 403 && route.startsWith('vbs.')) {
    return reply(403, { error: { code: 'AutoBackup.0213', message: 'The request is not authorized.' } }, headers);
  }
  if (status === 403 && route.startsWith('ecs.')) {
    const message = `Policy doesn't allow os_compute_api:servers:${route === 'ecs.servers.list' ? 'index' : 'show'} to be performed.`;
    return reply(403, { forbidden: { code: 403, message } }, headers);
  }
  return reply(status, { error_msg: STATUS_CODES[status] ?? 'Server Error', request_id: requestId }, headers);
}

const GATEWAY_FAULTS: Readonly<Record<number, readonly [string, string]>> = {
  429: ['APIGW.0308', 'The throttling threshold has been reached.'],
  502: ['APIGW.0202', 'Backend unavailable.'],
  504: ['APIGW.0203', 'Backend timeout.'],
};
const NOVA_INTERNAL_ERROR =
  'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.';
const VBS_INTERNAL_ERROR = 'An exception occurred in internal system processing.';
