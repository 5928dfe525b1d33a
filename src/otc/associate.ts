import type { VolumeId } from '../domain/ids';
import { OtcError, OtcHttpError } from './errors';
import { mapConcurrent } from './map-concurrent';
import type { AddedVolume, AssociationResult, ChunkReport, FailedVolume } from './types';
import type { ResourcesBody } from './vbs-schemas';

export const DEFAULT_CHUNK_SIZE = 20;
export const DEFAULT_CHUNK_CONCURRENCY = 2;
export const NOT_REPORTED_MESSAGE = 'the cloud did not report a result for this volume';
export const NOT_SENT_MESSAGE = 'not sent: the operation was cancelled';

/** One chunk's call: the VBS body and how many sends it took. Throws an OtcError when the whole call failed. */
export type ChunkCall = (
  volumeIds: readonly VolumeId[],
  signal: AbortSignal | undefined,
) => Promise<{ readonly body: ResourcesBody; readonly attempts: number }>;

export interface ChunkedRunOptions {
  readonly chunkSize: number;
  readonly concurrency: number;
  readonly signal?: AbortSignal | undefined;
  readonly onChunk?: ((chunk: ChunkReport) => Promise<void>) | undefined;
}

interface ChunkOutcome {
  readonly added: AddedVolume[];
  readonly failed: FailedVolume[];
  readonly report: ChunkReport;
}

/**
 * Sends `volumeIds` (duplicates once) in chunks with bounded concurrency and merges the answers into
 * one result in input order. A chunk whose call fails as a whole does not throw: its volumes are
 * failed with the call's code, and its report carries the error. Only non-cloud errors (bugs) throw.
 */
export async function runChunked(
  volumeIds: readonly VolumeId[],
  options: ChunkedRunOptions,
  callChunk: ChunkCall,
): Promise<AssociationResult> {
  checkPositiveInteger('chunkSize', options.chunkSize);
  checkPositiveInteger('concurrency', options.concurrency);
  const unique = dedupe(volumeIds);
  const chunks: VolumeId[][] = [];
  for (let i = 0; i < unique.length; i += options.chunkSize) chunks.push(unique.slice(i, i + options.chunkSize));

  const outcomes = await mapConcurrent(chunks, options.concurrency, async (chunk, index): Promise<ChunkOutcome> => {
    if (options.signal?.aborted) return notSent(chunk, index);
    let outcome: ChunkOutcome;
    try {
      const { body, attempts } = await callChunk(chunk, options.signal);
      outcome = mergeChunk(chunk, index, body, attempts);
    } catch (error) {
      if (!(error instanceof OtcError)) throw error;
      outcome = failChunk(chunk, index, error);
    }
    await options.onChunk?.(outcome.report);
    return outcome;
  });

  return {
    added: outcomes.flatMap((o) => o.added),
    failed: outcomes.flatMap((o) => o.failed),
    chunks: outcomes.map((o) => o.report),
  };
}

/** Matches the cloud's answer to the chunk, volume by volume, in the chunk's order. */
export function mergeChunk(
  chunk: readonly VolumeId[],
  index: number,
  body: ResourcesBody,
  attempts: number,
): ChunkOutcome {
  const succeeded = new Map(body.success_resources.map((r) => [r.resource_id.toLowerCase(), r] as const));
  const rejected = new Map(body.fail_resources.map((r) => [r.resource_id.toLowerCase(), r] as const));
  const added: AddedVolume[] = [];
  const failed: FailedVolume[] = [];
  for (const volumeId of chunk) {
    const key = volumeId.toLowerCase();
    const fail = rejected.get(key);
    const success = succeeded.get(key);
    // Listed in both (never seen, but possible): report the failure, a resend is harmless.
    if (fail) {
      failed.push({
        volumeId,
        code: fail.code === undefined || fail.code === null || fail.code === '' ? undefined : String(fail.code),
        message: fail.message ?? undefined,
      });
    } else if (success) {
      added.push({
        volumeId,
        availabilityZone: success.availability_zone ?? undefined,
        pod: success.os_vol_host_attr ?? undefined,
      });
    } else {
      failed.push({ volumeId, code: undefined, message: NOT_REPORTED_MESSAGE });
    }
  }
  return {
    added,
    failed,
    report: { index, volumeIds: chunk, attempts, added: added.length, failed: failed.length },
  };
}

function failChunk(chunk: readonly VolumeId[], index: number, error: OtcError): ChunkOutcome {
  const status = 'status' in error && typeof error.status === 'number' ? error.status : undefined;
  const otcCode = error instanceof OtcHttpError ? error.otcCode : undefined;
  const otcRequestId =
    'otcRequestId' in error && typeof error.otcRequestId === 'string' ? error.otcRequestId : undefined;
  const code = otcCode ?? (error instanceof OtcHttpError ? `HTTP ${error.status}` : error.code);
  const message = (error instanceof OtcHttpError ? error.otcMessage : undefined) ?? error.message;
  return {
    added: [],
    failed: chunk.map((volumeId) => ({ volumeId, code, message })),
    report: {
      index,
      volumeIds: chunk,
      attempts: error.attempts,
      added: 0,
      failed: chunk.length,
      error: { code: error.code, status, otcCode, otcRequestId, message: error.message },
    },
  };
}

function notSent(chunk: readonly VolumeId[], index: number): ChunkOutcome {
  return {
    added: [],
    failed: chunk.map((volumeId) => ({ volumeId, code: 'OTC_ABORTED', message: NOT_SENT_MESSAGE })),
    report: {
      index,
      volumeIds: chunk,
      attempts: 0,
      added: 0,
      failed: chunk.length,
      error: {
        code: 'OTC_ABORTED',
        status: undefined,
        otcCode: undefined,
        otcRequestId: undefined,
        message: NOT_SENT_MESSAGE,
      },
    },
  };
}

/** First occurrence wins; ids compare case-insensitively (UUIDs). */
function dedupe(volumeIds: readonly VolumeId[]): VolumeId[] {
  const seen = new Set<string>();
  return volumeIds.filter((id) => {
    const key = id.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1`);
}
