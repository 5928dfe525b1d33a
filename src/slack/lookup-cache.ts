import type { Clock } from '../flow/ports';

/**
 * Slack's answers to one kind of look-up, kept for `ttlMs` on the injected clock, with concurrent
 * look-ups of one key sharing one call. Slack's rate limits are per method and shared by every
 * user of the bot, so a burst of commands (or someone clicking on purpose) must not turn into a
 * burst of calls: after that, group rules would stop matching for everyone.
 */
export class LookupCache<V> {
  private readonly kept = new Map<string, { readonly value: V; readonly until: number }>();
  private readonly inFlight = new Map<string, Promise<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
  ) {}

  /**
   * The kept answer, else `load()`'s. `fresh` skips the kept answer (a decision wants Slack's word
   * now) but still joins a call already in flight: that one was asked at most a round trip ago.
   * A failure is not kept; the next look-up asks again, as it does after an answer `keep` turns down.
   */
  get(
    key: string,
    load: () => Promise<V>,
    options: { readonly fresh: boolean; readonly keep?: (value: V) => boolean },
  ): Promise<V> {
    const hit = this.kept.get(key);
    if (!options.fresh && hit !== undefined && hit.until > this.clock.now()) return Promise.resolve(hit.value);
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const call = load()
      .then((value) => {
        if (options.keep?.(value) ?? true) this.kept.set(key, { value, until: this.clock.now() + this.ttlMs });
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, call);
    return call;
  }
}
