/**
 * The lower bound the cloud puts on how fast associate requests can finish, and how close a
 * measured run came to it. Only the cloud's side counts here: the bot splits a request's volumes
 * into chunks of `chunkSize` (`cloud.associate_chunk_size`), sends at most `concurrencyPerRequest`
 * of a request's chunks at once (`cloud.associate_concurrency`), and at most `globalConcurrency`
 * chunks at once across all requests (the config has no such limit today: Infinity). Each call
 * takes `latencyMs` on average. A request cannot finish before its chunks went through in waves
 * of `concurrencyPerRequest`, and all of them together not before every chunk went through in
 * waves of `globalConcurrency`. Only the associate calls count: they are the calls the bench's
 * cloud makes wait (its look-ups answer at once).
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

/**
 * Waves x mean latency: what the calls of a request of mean luck need. The drain's bound (the
 * request acked last needs its own call). For a run of many requests the slowest call decides, see
 * `drawnBoundMs`.
 */
export function cloudBoundMs(requests: number, volumesPerRequest: number, shape: CloudShape): number {
  if (!(shape.latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');
  return cloudWaves(requests, volumesPerRequest, shape) * shape.latencyMs;
}

/** bound / measured: 1 is as fast as the cloud allows, 0.5 took twice that. NaN for a measured time <= 0. */
export function efficiency(boundMs: number, measuredMs: number): number {
  return measuredMs > 0 ? boundMs / measuredMs : Number.NaN;
}

/**
 * Calls a run of `requests` requests of `volumesPerRequest` volumes can have in flight at once: each
 * request sends at most `concurrencyPerRequest` of its chunks at a time, and all together at most
 * `globalConcurrency`.
 */
export function callSlots(requests: number, volumesPerRequest: number, shape: CloudShape): number {
  positiveInteger('concurrencyPerRequest', shape.concurrencyPerRequest);
  if (!(shape.globalConcurrency >= 1)) throw new RangeError('globalConcurrency must be >= 1 (Infinity for none)');
  const own = Math.min(shape.concurrencyPerRequest, chunksOf(volumesPerRequest, shape.chunkSize));
  return Math.max(1, Math.min(shape.globalConcurrency, requests * own));
}

/**
 * The least time the cloud allowed a run whose associate calls took `latenciesMs` (the latencies
 * the cloud actually drew for them), with at most `slots` in flight at once: the run cannot end
 * before its slowest call has returned, nor before `slots` calls at a time have worked through the
 * sum of all latencies. Unlike `cloudBoundMs` it is a lower bound for a run of many requests: their
 * last summary waits for the slowest of their calls, not for a call of mean latency (200 calls drawn
 * from 300-500 ms: the slowest is about 499 ms, where the mean is 400).
 */
export function drawnBoundMs(latenciesMs: readonly number[], slots: number): number {
  if (!(slots >= 1)) throw new RangeError('slots must be >= 1');
  let slowest = 0;
  let sum = 0;
  for (const ms of latenciesMs) {
    if (!(ms >= 0)) throw new RangeError(`a latency must be >= 0, not ${ms}`);
    slowest = Math.max(slowest, ms);
    sum += ms;
  }
  return Math.max(slowest, sum / slots);
}

/**
 * The index of the run of median efficiency (bound / measured) among runs that took `measuredMs`
 * against `boundsMs`; with an even count, the lower of the middle two. -1 for no runs.
 */
export function medianRun(measuredMs: readonly number[], boundsMs: readonly number[]): number {
  if (measuredMs.length !== boundsMs.length) throw new RangeError('one bound per run');
  const order = measuredMs
    .map((ms, i) => ({ i, eff: efficiency(boundsMs[i] ?? Number.NaN, ms) }))
    .sort((a, b) => a.eff - b.eff || a.i - b.i);
  return order[Math.floor((order.length - 1) / 2)]?.i ?? -1;
}
