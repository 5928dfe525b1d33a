import type { Logger } from '../log/logger';

/** A lease is renewed three times per its length: a missed renewal or two never loses a live holder its claim. */
export const HEARTBEATS_PER_LEASE = 3;

export interface Heartbeat {
  readonly leaseMs: number;
  /** The clock the lease is written on. */
  readonly now: () => number;
  /** When the lease was taken (or last renewed), on that clock: it runs a whole lease from then. */
  readonly heldSince: number;
  /** Extends the lease; false when another holder has taken it over (this one was thought dead). */
  renew(): Promise<boolean>;
  /**
   * Called once when a renewal finds the lease taken over, or when no renewal has held for a whole
   * lease (they failed or hung): by then the lease has run out and another holder may have it.
   */
  onLost(): void;
  readonly logger: Logger;
  /** For the log: what holds the lease ("request r-…", "outbox message 12"). */
  readonly what: string;
}

/**
 * Runs `work` while renewing its lease, so that short leases (a dead holder's work is taken over
 * within seconds) never take work from a holder that is alive but waiting on a slow call.
 */
export async function withHeartbeat<T>(beat: Heartbeat, work: () => Promise<T>): Promise<T> {
  let lost = false;
  // When the last renewal that held was sent (the lease runs a whole lease from then): at first,
  // when the lease was taken.
  let heldSince = beat.heldSince;
  const lose = (why: string) => {
    if (lost) return;
    lost = true;
    beat.logger.warn(why, { holder: beat.what });
    beat.onLost();
  };
  const timer = setInterval(
    () => {
      if (lost) return;
      // Renewals failed or hung: the lease has run out, and another holder may have the work now.
      if (beat.now() - heldSince >= beat.leaseMs) {
        lose('no renewal held for a whole lease: another holder may take the work over');
        return;
      }
      const sentAt = beat.now();
      beat
        .renew()
        .then((held) => {
          if (held) heldSince = Math.max(heldSince, sentAt);
          else lose('lost the lease to another holder');
        })
        .catch((e: unknown) => beat.logger.warn('could not renew the lease', { holder: beat.what, error: e }));
    },
    Math.max(10, Math.floor(beat.leaseMs / HEARTBEATS_PER_LEASE)),
  );
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
