/** What the store logs: short messages with safe fields (codes, versions), never SQL values or URLs. */
export type StoreLogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface StoreLogger {
  info(message: string, fields?: StoreLogFields): void;
  warn(message: string, fields?: StoreLogFields): void;
}

export const SILENT_STORE_LOGGER: StoreLogger = Object.freeze({
  info: () => undefined,
  warn: () => undefined,
});
