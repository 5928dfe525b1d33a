/**
 * The lower bound the cloud puts on how fast associate requests can finish, and how close a
 * measured run came to it. Only the cloud's side counts here: the bot splits a request's volumes
 * into chunks of `chunkSize` (`cloud.associate_chunk_size`), sends at most `concurrencyPerRequest`
 * of a request's chunks at once (`cloud.associate_concurrency`), and at most `globalConcurrency`
 * chunks at once across all requests (the config has no such limit today: Infinity). Each call
 * takes `latencyMs` on average. A request cannot finish before its chunks went through in waves
 * of `concurrencyPerRequest`, and all of them together not before every chunk went through in
 * waves of `globalConcurrency`.
 */
export interface CloudShape {
  readonly chunkSize: number;
  readonly concurrencyPerRequest: number;
  /** Chunks in flight at once across all requests; Infinity when nothing limits it. */
  readonly globalConcurrency: number;
  /** The mean latency of one associate call. */
  readonly latencyMs: number;
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number >= 1, not ${value}`);
}

/** Associate calls one request of `volumes` volumes makes. */
export function chunksOf(volumes: number, chunkSize: number): number {
  positiveInteger('chunkSize', chunkSize);
  if (!Number.isInteger(volumes) || volumes < 0) throw new RangeError(`volumes must be a whole number >= 0`);
  return Math.ceil(volumes / chunkSize);
}

/** Waves of calls: the longer of one request's own waves and the waves all requests' calls need under the global limit. */
export function cloudWaves(requests: number, volumesPerRequest: number, shape: CloudShape): number {
  positiveInteger('concurrencyPerRequest', shape.concurrencyPerRequest);
  if (!(shape.globalConcurrency >= 1)) throw new RangeError('globalConcurrency must be >= 1 (Infinity for none)');
  const chunks = chunksOf(volumesPerRequest, shape.chunkSize);
  const ownWaves = Math.ceil(chunks / shape.concurrencyPerRequest);
  const globalWaves = Number.isFinite(shape.globalConcurrency)
    ? Math.ceil((requests * chunks) / shape.globalConcurrency)
    : 0;
  return Math.max(ownWaves, globalWaves);
}

/** The least time, from the first request to the last one finished, the cloud allows: waves x mean latency. */
export function cloudBoundMs(requests: number, volumesPerRequest: number, shape: CloudShape): number {
  if (!(shape.latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');
  return cloudWaves(requests, volumesPerRequest, shape) * shape.latencyMs;
}

/** bound / measured: 1 is as fast as the cloud allows, 0.5 took twice that. NaN for a measured time <= 0. */
export function efficiency(boundMs: number, measuredMs: number): number {
  return measuredMs > 0 ? boundMs / measuredMs : Number.NaN;
}

/** How the bot reads a request's volumes before it changes anything: ids per call and calls at once. */
export interface LookupShape {
  readonly idsPerCall: number;
  readonly concurrency: number;
}

/** Look-up waves before a request of `volumes` volumes can send its first associate call (at least one). */
export function lookupWaves(volumes: number, lookup: LookupShape): number {
  positiveInteger('idsPerCall', lookup.idsPerCall);
  positiveInteger('concurrency', lookup.concurrency);
  return Math.max(1, Math.ceil(chunksOf(volumes, lookup.idsPerCall) / lookup.concurrency));
}

/**
 * `cloudBoundMs` plus the reads every request makes first: the check asks for the policy list and
 * the volumes at the same time, so a request cannot reach its first associate call before at least
 * one more round trip. What the bot cannot skip without associating volumes it has not seen.
 */
export function checkedBoundMs(
  requests: number,
  volumesPerRequest: number,
  shape: CloudShape,
  lookup: LookupShape,
): number {
  return cloudBoundMs(requests, volumesPerRequest, shape) + lookupWaves(volumesPerRequest, lookup) * shape.latencyMs;
}
