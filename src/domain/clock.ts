import type { EpochMs } from './backup-request';

/** The time, injected everywhere it is read, so tests move it instead of waiting for it. */
export interface Clock {
  now(): EpochMs;
}

/** Waiting, injected where code waits (the cloud client's retries), so tests do not really wait. */
export interface Sleeper {
  /** Resolves after `ms`; rejects when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
