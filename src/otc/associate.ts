import type { VolumeId } from '../domain/ids';
import { OtcError, OtcHttpError } from './errors';
import { inBatches, mapConcurrent } from './map-concurrent';
import type {
  AddedVolume,
  AssociateOptions,
  AssociationResult,
  ChunkReport,
  FailedVolume,
  SendingChunk,
} from './types';
import type { ResourcesBody } from './vbs-schemas';

/** Volumes per call: the VBS console warns above 40, and no maximum is documented. */
export const DEFAULT_CHUNK_SIZE = 20;
/** Calls in flight at once, for one associate/disassociate/move. */
export const DEFAULT_CHUNK_CONCURRENCY = 2;
/** Why a volume the cloud's answer did not mention is failed. */
export const NOT_REPORTED_MESSAGE = 'the cloud did not report a result for this volume';
/** Why a volume left unsent after the caller's signal fired is failed. */
export const NOT_SENT_MESSAGE = 'not sent: the operation was cancelled';
/** The code of a volume left unsent after the caller's signal fired. */
const ABORTED_CODE = 'OTC_ABORTED';

/** What one chunk came to, volume by volume, and how many sends it took. */
export interface ChunkResult {
  readonly added: readonly AddedVolume[];
  readonly failed: readonly FailedVolume[];
  readonly attempts: number;
  /** A call that failed as a whole and ended the chunk (its volumes not settled before it are in `failed`). */
  readonly error?: OtcError | undefined;
}

/**
 * Sends one chunk and says what became of each of its volumes. Throws an OtcError when its call
 * failed as a whole; `runChunked` then fails the chunk's volumes with that error.
 */
export type ChunkSender = (volumeIds: readonly VolumeId[], signal: AbortSignal | undefined) => Promise<ChunkResult>;

/** One VBS associate/disassociate call: the VBS body and how many sends it took. Throws an OtcError when the whole call failed. */
export type VbsChunkCall = (
  volumeIds: readonly VolumeId[],
  signal: AbortSignal | undefined,
) => Promise<{ readonly body: ResourcesBody; readonly attempts: number }>;

/** How one run is cut into calls and told about: chunk size, calls at once, cancel signal, audit hook. */
export interface ChunkedRunOptions {
  readonly chunkSize: number;
  readonly concurrency: number;
  readonly signal?: AbortSignal | undefined;
  readonly onChunk?: ((chunk: ChunkReport) => Promise<void>) | undefined;
  readonly onSending?: ((chunk: SendingChunk) => Promise<void>) | undefined;
}

/** The client's chunking defaults, for the options of one associate/disassociate/move. */
export interface ChunkDefaults {
  readonly chunkSize: number;
  readonly concurrency: number;
}

/** A call's options over the client's defaults; `maxChunkSize` is the service's own limit per call. */
export function resolveChunking(
  defaults: ChunkDefaults,
  options: AssociateOptions | undefined,
  maxChunkSize = Number.POSITIVE_INFINITY,
): ChunkedRunOptions {
  return {
    chunkSize: Math.min(options?.chunkSize ?? defaults.chunkSize, maxChunkSize),
    concurrency: options?.concurrency ?? defaults.concurrency,
    signal: options?.signal,
    onChunk: options?.onChunk,
    onSending: options?.onSending,
  };
}

/**
 * Sends `volumeIds` (duplicates once) in chunks with bounded concurrency and merges the answers into
 * one result in input order. A chunk whose call fails as a whole does not throw: its volumes are
 * failed with the call's code, and its report carries the error. Only non-cloud errors (bugs) throw.
 * Each chunk sent is reported to `onChunk` once, as it ends.
 */
export async function runChunked(
  volumeIds: readonly VolumeId[],
  options: ChunkedRunOptions,
  sendChunk: ChunkSender,
): Promise<AssociationResult> {
  // inBatches and mapConcurrent each refuse a size that is not a whole number >= 1 before any chunk goes out.
  const chunks = inBatches(dedupeVolumeIds(volumeIds), options.chunkSize, 'chunkSize');

  const outcomes = await mapConcurrent(chunks, options.concurrency, async (chunk, index) => {
    // Not a call: nothing to audit, but the result still says why these volumes were not sent.
    const notSent = () => {
      const result: ChunkResult = { added: [], failed: failNotSent(chunk), attempts: 0 };
      return { result, report: { ...reportOf(chunk, index, result), error: NOT_SENT_ERROR } };
    };
    if (options.signal?.aborted) return notSent();
    await options.onSending?.({ index, volumeIds: chunk });
    // The signal may have fired while that was written.
    if (options.signal?.aborted) return notSent();
    let result: ChunkResult;
    try {
      result = await sendChunk(chunk, options.signal);
    } catch (error) {
      if (!(error instanceof OtcError)) throw error;
      result = failChunk(chunk, error);
    }
    const report = reportOf(chunk, index, result);
    await options.onChunk?.(report);
    return { result, report };
  });

  return {
    added: outcomes.flatMap((o) => o.result.added),
    failed: outcomes.flatMap((o) => o.result.failed),
    chunks: outcomes.map((o) => o.report),
  };
}

/** A VBS call as a chunk sender: its answer matched to the chunk volume by volume. */
export function mergeVbsAnswers(call: VbsChunkCall): ChunkSender {
  return async (chunk, signal) => {
    const { body, attempts } = await call(chunk, signal);
    return mergeChunk(chunk, body, attempts);
  };
}

/** Matches the cloud's answer to the chunk, volume by volume, in the chunk's order. */
export function mergeChunk(chunk: readonly VolumeId[], body: ResourcesBody, attempts: number): ChunkResult {
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
  return { added, failed, attempts };
}

/**
 * How a volume is failed by a call's error: the cloud's own code and message when its body named
 * them, else `HTTP <status>` for an HTTP answer, else our code (`OTC_NETWORK`, ...).
 */
export function failureOf(error: OtcError): { readonly code: string; readonly message: string } {
  const otcCode = error instanceof OtcHttpError ? error.otcCode : undefined;
  const code = otcCode ?? (error instanceof OtcHttpError ? `HTTP ${error.status}` : error.code);
  const message = (error instanceof OtcHttpError ? error.otcMessage : undefined) ?? error.message;
  return { code, message };
}

/** Every volume of the chunk failed by one error that came before any of them was settled. */
function failChunk(chunk: readonly VolumeId[], error: OtcError): ChunkResult {
  const failure = failureOf(error);
  return {
    added: [],
    failed: chunk.map((volumeId) => ({ volumeId, ...failure })),
    attempts: error.attempts,
    error,
  };
}

/** Volumes not sent because the caller's signal fired first. */
export function failNotSent(volumeIds: readonly VolumeId[]): FailedVolume[] {
  return volumeIds.map((volumeId) => ({ volumeId, code: ABORTED_CODE, message: NOT_SENT_MESSAGE }));
}

/** The audit's view of one chunk. */
function reportOf(chunk: readonly VolumeId[], index: number, result: ChunkResult): ChunkReport {
  const report = {
    index,
    volumeIds: chunk,
    attempts: result.attempts,
    added: result.added.length,
    failed: result.failed.length,
  };
  return result.error === undefined ? report : { ...report, error: reportedError(result.error) };
}

/** The report error of a chunk not sent because the signal fired. */
const NOT_SENT_ERROR: NonNullable<ChunkReport['error']> = Object.freeze({
  code: ABORTED_CODE,
  status: undefined,
  otcCode: undefined,
  otcRequestId: undefined,
  message: NOT_SENT_MESSAGE,
});

/** A call's error as the audit keeps it: codes, status and request id, never a body. */
function reportedError(error: OtcError): NonNullable<ChunkReport['error']> {
  return {
    code: error.code,
    status: 'status' in error && typeof error.status === 'number' ? error.status : undefined,
    otcCode: error instanceof OtcHttpError ? error.otcCode : undefined,
    otcRequestId: 'otcRequestId' in error && typeof error.otcRequestId === 'string' ? error.otcRequestId : undefined,
    message: error.message,
  };
}

/** First occurrence wins; ids compare case-insensitively (UUIDs). */
export function dedupeVolumeIds(volumeIds: readonly VolumeId[]): VolumeId[] {
  const seen = new Set<string>();
  return volumeIds.filter((id) => {
    const key = id.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
