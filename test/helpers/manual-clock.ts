import type { EpochMs } from '../../src/domain/backup-request';
import type { Clock } from '../../src/flow/ports';

/**
 * The bot's clock in tests: time stands still until the test moves it, so a deadline of hours
 * passes in one call and a test can say what happens just before and just after it.
 */
export class ManualClock implements Clock {
  private current: EpochMs;

  /** Starts at the real time by default: signed Slack requests carry real timestamps. */
  constructor(start: EpochMs = Date.now()) {
    this.current = start;
  }

  now(): EpochMs {
    return this.current;
  }

  /** Moves time forward; never back (the bot's stored times only grow). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance takes a duration >= 0, not ${ms}`);
    this.current += ms;
  }
}
