import type { FieldLogger } from '../log/fields';

/** What the store logs: short messages with safe fields (codes, versions), never SQL values or URLs. */
export type StoreLogger = Pick<FieldLogger, 'info' | 'warn'>;
