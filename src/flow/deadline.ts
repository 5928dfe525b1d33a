/**
 * `work`'s result, or `'late'` once `ms` have passed first (the work goes on; only the wait ends).
 * The timer is cleared when the race is decided and never keeps the process alive.
 */
export function beforeDeadline<T>(ms: number, work: Promise<T>): Promise<T | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** `work`'s result, or `fallback` once `ms` have passed first (the work goes on, unwatched). */
export async function orAfter<T, F>(ms: number, work: Promise<T>, fallback: F): Promise<T | F> {
  const result = await beforeDeadline(ms, work);
  return result === 'late' ? fallback : result;
}

/** `work`, or a failure naming `what` once `ms` have passed first (the work goes on, unwatched). */
export async function doneWithin<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  const result = await beforeDeadline(ms, work);
  if (result === 'late') throw new Error(`${what} did not finish within ${ms} ms`);
  return result;
}

/**
 * How long /readyz and a /metrics scrape wait for the store: one that does not answer by then
 * counts as unavailable (a pool waiting for a connection, a statement held by a lock), and the
 * answer still goes out, well within a scraper's or a probe's own timeout.
 */
export const STORE_ANSWER_MS = 2_000;
