import type { Clock } from './ports';

/**
 * One call's promise per key, kept for `ttlMs` on the injected clock: callers within that time,
 * concurrent ones included, share it. A failed call is not kept (the next caller asks again), and
 * `forget` drops a key at once.
 */
export class KeptPromises<T> {
  private readonly kept = new Map<string, { readonly until: number; readonly value: Promise<T> }>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.kept.get(key);
    if (hit !== undefined && hit.until > this.clock.now()) return hit.value;
    const entry = { until: this.clock.now() + this.ttlMs, value: load() };
    this.kept.set(key, entry);
    // Only this entry: a newer call for the key may have replaced it meanwhile.
    entry.value.catch(() => {
      if (this.kept.get(key) === entry) this.kept.delete(key);
    });
    return entry.value;
  }

  forget(key: string): void {
    this.kept.delete(key);
  }
}
