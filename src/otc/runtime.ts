import type { Clock, Sleeper } from '../domain/clock';
import type { FieldLogger } from '../log/fields';

/**
 * What the cloud layer takes from its surroundings, injected so tests control time and logging:
 * the clock and waiting (retries), and a logger that only ever receives safe fields (method, path
 * without query, status, attempt, OTC request id, codes; never headers or bodies).
 */
export type OtcLogger = Pick<FieldLogger, 'debug' | 'warn'>;

/** The real time and real waiting; the default of the cloud client, and the bot's clock. */
export const SYSTEM_CLOCK: Clock & Sleeper = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
});

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}
