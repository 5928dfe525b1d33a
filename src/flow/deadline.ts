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
