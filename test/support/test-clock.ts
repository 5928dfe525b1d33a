import type { EpochMs } from '../../src/domain/backup-request';
import type { Clock } from '../../src/flow/ports';

/** 2026-01-01T09:00:00Z: the moment every flow test starts at. */
export const T0: EpochMs = Date.UTC(2026, 0, 1, 9);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** A clock that moves only when a test moves it. */
export class TestClock implements Clock {
  private current: EpochMs;

  constructor(start: EpochMs = T0) {
    this.current = start;
  }

  now(): EpochMs {
    return this.current;
  }

  advance(ms: number): EpochMs {
    this.current += ms;
    return this.current;
  }
}
