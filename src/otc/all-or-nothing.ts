import type { VolumeId } from '../domain/ids';
import { failNotSent, failureOf } from './associate';
import { OtcError, OtcHttpError } from './errors';
import type { FailedVolume } from './types';

/**
 * Per-volume outcomes from a call that takes all of its volumes or none (CBR's add, remove and
 * migrate resources). When the cloud refuses the call because of some of its volumes, the ones its
 * message names are failed and the rest sent again; when it names none, the volumes are halved and
 * each half sent, until every volume is known or the chunk's budget of extra calls is spent.
 */

/**
 * CBR codes that refuse a call because of particular resources in it: the rest of the call would
 * have been taken. Any other failure (401/403, 5xx or no answer after retries, `BackupService.9900`
 * invalid vault, any other code) is the call's as a whole and fails every volume at once.
 */
export const RESOURCE_REFUSAL_CODES: ReadonlySet<string> = new Set([
  'BackupService.6100', // the vault has no room (the docs: resources over the vault's limit)
  'BackupService.6102', // the vault does not take this resource type
  'BackupService.6103', // the resource is in another vault already
  'BackupService.6104', // a resource twice in the request
  'BackupService.6135', // the resource is not in the vault (a remove or a move from it)
  'BackupService.7000', // the disk does not exist (deleted since the request was checked)
]);

/** Extra calls one halving step may take: one per half. */
export const CALLS_PER_HALVING = 2;
/** Extra calls beyond the halvings: the resend after the message named the refused volumes, and one to spare. */
export const SPARE_CALLS = 2;

/**
 * How many calls after the first a chunk of `size` volumes may take to find its refused volumes:
 * enough to halve down to one refused volume among all of them (and to resend the rest once after a
 * message that named them), so one bad volume never costs a good one. More bad volumes may spend it.
 */
export function extraCallBudget(size: number): number {
  return CALLS_PER_HALVING * Math.ceil(Math.log2(Math.max(size, 1))) + SPARE_CALLS;
}

/** Whether a call's failure is a refusal of some of its resources (the rest may be sent again). */
export function isResourceRefusal(error: unknown): error is OtcHttpError {
  return (
    error instanceof OtcHttpError &&
    error.status >= 400 &&
    error.status < 500 &&
    error.otcCode !== undefined &&
    RESOURCE_REFUSAL_CODES.has(error.otcCode)
  );
}

/** One all-or-nothing call: resolves to the sends it took (retries included), throws an OtcError when refused or failed. */
export type AllOrNothingCall = (volumeIds: readonly VolumeId[], signal: AbortSignal | undefined) => Promise<number>;

/** What became of each volume of one chunk sent all-or-nothing. */
export interface AllOrNothingOutcome {
  /** In the chunk's order. */
  readonly done: readonly VolumeId[];
  /** In the chunk's order. */
  readonly failed: readonly FailedVolume[];
  /** Every send, the halving calls and the core's retries included. */
  readonly attempts: number;
  /** A failure of a call as a whole that ended the chunk: every volume not known before it failed with it. */
  readonly error: OtcError | undefined;
}

/** One send: taken, refused for some of its volumes, or failed as a whole. */
type SendResult = { readonly kind: 'done' } | { readonly kind: 'refused' | 'failed'; readonly error: OtcError };

/**
 * Sends `chunk` with `call` and settles every volume of it exactly once: done, refused with the
 * refusal's code and message, failed with a whole-call error, or not sent (the signal fired). Halves
 * are sent one after the other. Errors that are not cloud errors (bugs) are thrown.
 */
export async function sendAllOrNothing(
  chunk: readonly VolumeId[],
  call: AllOrNothingCall,
  signal: AbortSignal | undefined,
): Promise<AllOrNothingOutcome> {
  let attempts = 0;
  let extraCalls = extraCallBudget(chunk.length);
  let ended: OtcError | undefined;
  const done = new Set<VolumeId>();
  const failures = new Map<VolumeId, FailedVolume>();

  const fail = (volumeIds: readonly VolumeId[], error: OtcError): void => {
    const failure = failureOf(error);
    for (const volumeId of volumeIds) failures.set(volumeId, { volumeId, ...failure });
  };

  const send = async (group: readonly VolumeId[]): Promise<SendResult> => {
    try {
      attempts += await call(group, signal);
      return { kind: 'done' };
    } catch (e) {
      if (!(e instanceof OtcError)) throw e;
      attempts += e.attempts;
      return { kind: isResourceRefusal(e) ? 'refused' : 'failed', error: e };
    }
  };

  const settle = async (group: readonly VolumeId[], result: SendResult): Promise<void> => {
    if (result.kind === 'done') for (const volumeId of group) done.add(volumeId);
    else if (result.kind === 'failed') {
      ended = result.error;
      fail(group, result.error);
    } else await narrowDown(group, result.error);
  };

  /** `group` was refused as a whole by `refusal`: find which of its volumes the refusal is about. */
  const narrowDown = async (group: readonly VolumeId[], refusal: OtcError): Promise<void> => {
    if (group.length === 1) {
      fail(group, refusal);
      return;
    }
    const named = volumesNamedIn(refusal, group);
    fail(named, refusal);
    const parts = named.length > 0 ? [group.filter((id) => !named.includes(id))] : halves(group);
    for (const part of parts) {
      if (part.length === 0) continue;
      if (ended !== undefined) fail(part, ended);
      else if (signal?.aborted) for (const f of failNotSent(part)) failures.set(f.volumeId, f);
      else if (extraCalls === 0) fail(part, refusal);
      else {
        extraCalls -= 1;
        await settle(part, await send(part));
      }
    }
  };

  await settle(chunk, await send(chunk));
  return {
    done: chunk.filter((id) => done.has(id)),
    failed: chunk.flatMap((id) => failures.get(id) ?? []),
    attempts,
    error: ended,
  };
}

/** A volume id (a UUID) anywhere in a message. */
const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The volumes of `group` whose ids the refusal's message names (case-insensitively). */
function volumesNamedIn(refusal: OtcError, group: readonly VolumeId[]): VolumeId[] {
  const message = refusal instanceof OtcHttpError ? refusal.otcMessage : undefined;
  if (message === undefined) return [];
  const named = new Set((message.match(UUID_IN_TEXT) ?? []).map((id) => id.toLowerCase()));
  return group.filter((id) => named.has(id.toLowerCase()));
}

/** The first half (the larger, for an odd size) and the rest. */
function halves(group: readonly VolumeId[]): VolumeId[][] {
  const middle = Math.ceil(group.length / 2);
  return [group.slice(0, middle), group.slice(middle)];
}
