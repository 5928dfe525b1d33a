/** Fields a layer below the app logs: codes, counts, ids, versions. Never objects, so never a header, body or URL. */
export type SafeFields = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * The logger the cloud client and the store write to: a message and safe fields. The bot's Logger
 * is one (main.ts passes its children); each layer names the levels it uses (OtcLogger, StoreLogger).
 */
export interface FieldLogger {
  debug(message: string, fields?: SafeFields): void;
  info(message: string, fields?: SafeFields): void;
  warn(message: string, fields?: SafeFields): void;
  error(message: string, fields?: SafeFields): void;
}

/** Logs nothing: the default of a client or store built without a logger (tests, scripts). */
export const SILENT_LOGGER: FieldLogger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});
