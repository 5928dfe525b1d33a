/** Throws a RangeError naming `name` unless `value` is a whole number >= 1. */
export function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1`);
}

/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. On the
 * first rejection no new items start and the returned promise rejects once the running ones settle.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  checkPositiveInteger('concurrency', limit);
  const results = new Array<R>(items.length);
  // One iterator shared by the workers: each takes the next item in order.
  const queue = items.entries();
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    for (const [index, item] of queue) {
      if (failure !== undefined) return;
      try {
        results[index] = await fn(item, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  if (failure !== undefined) throw failure.error;
  return results;
}

/** `items` in runs of at most `size`, in order (the last run may be shorter); `name` is the size's in the error. */
export function inBatches<T>(items: readonly T[], size: number, name = 'batch size'): T[][] {
  checkPositiveInteger(name, size);
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
