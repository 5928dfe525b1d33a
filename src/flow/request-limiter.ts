import type { Clock } from './ports';

/** The window the per-person limit counts in. */
export const RATE_WINDOW_MS = 60_000;

/** A refused request: the limit it met, and how long until the oldest counted request leaves the window. */
export interface RateLimit {
  readonly limit: number;
  readonly retryInMs: number;
}

/**
 * At most `limit` requests per person in any minute: a sliding window on the injected clock. Each
 * request can cost the bot Slack look-ups (its rate limit is shared by everyone) and store reads,
 * so one person must not be able to spend them all. In memory, per replica: behind N replicas a
 * person may make up to N times as many, which still bounds the cost; a restart forgets the counts.
 */
export class RequestLimiter {
  private readonly recent = new Map<string, number[]>();
  private lastSweep: number;

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
  ) {
    this.lastSweep = clock.now();
  }

  /** Counts one request of `who`, unless they are at the limit: then says when to try again (a refusal counts nothing). */
  take(who: string): RateLimit | undefined {
    const refused = this.check(who);
    if (refused !== undefined) return refused;
    const times = this.recent.get(who) ?? [];
    times.push(this.clock.now());
    this.recent.set(who, times);
    return undefined;
  }

  /** Whether `who` is at the limit now, counting nothing. */
  check(who: string): RateLimit | undefined {
    const now = this.clock.now();
    this.sweep(now);
    const times = this.inWindow(who, now);
    const oldest = times[0];
    if (times.length < this.limit || oldest === undefined) return undefined;
    return { limit: this.limit, retryInMs: oldest + RATE_WINDOW_MS - now };
  }

  private inWindow(who: string, now: number): number[] {
    const times = (this.recent.get(who) ?? []).filter((t) => t > now - RATE_WINDOW_MS);
    if (times.length === 0) this.recent.delete(who);
    else this.recent.set(who, times);
    return times;
  }

  /** Once a window, forgets everyone whose requests all left it, so the map holds only the recently active. */
  private sweep(now: number): void {
    if (now - this.lastSweep < RATE_WINDOW_MS) return;
    this.lastSweep = now;
    for (const who of [...this.recent.keys()]) this.inWindow(who, now);
  }
}
