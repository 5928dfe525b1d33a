/**
 * What the cloud layer takes from its surroundings, injected so tests control time and logging:
 * a clock (now + sleep), randomness for jitter, and a logger that only ever receives safe fields.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`; rejects when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Fields the cloud layer logs: method, path (no query), status, attempt, OTC request id, codes. Never headers or bodies. */
export type OtcLogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface OtcLogger {
  debug(message: string, fields?: OtcLogFields): void;
  warn(message: string, fields?: OtcLogFields): void;
}

export const SYSTEM_CLOCK: Clock = Object.freeze({
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

export const SILENT_LOGGER: OtcLogger = Object.freeze({
  debug: () => undefined,
  warn: () => undefined,
});

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}
