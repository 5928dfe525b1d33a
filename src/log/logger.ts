import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger as SlackLogger } from '@slack/bolt';
import { LogLevel } from '@slack/bolt';
import { redactSecrets } from '../domain/redact';

/** The bot's logger: one JSON object per line, secrets masked. Bolt and the WebClient log through it too. */
export interface Logger extends SlackLogger {
  child(name: string): Logger;
  /** The same logger with `fields` on every line it writes (e.g. `{ requestId }`). */
  with(fields: LogFields): Logger;
}

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

const context = new AsyncLocalStorage<LogFields>();

/**
 * Runs `work` with `fields` on every log line written inside it, by any logger, across awaits:
 * so the lines of the layers below (the cloud client, the Slack calls, the store), which are built
 * once and know nothing of requests, carry the request id of the work they do.
 */
export function withLogFields<T>(fields: LogFields, work: () => T): T {
  return context.run({ ...context.getStore(), ...fields }, work);
}

/**
 * Runs a Slack interaction's work on a request with its id on every log line (the Slack and cloud
 * calls below included); an id that did not parse names no request, and is not logged as one.
 */
export function withRequestId<T>(requestId: string | undefined, work: () => T): T {
  return requestId === undefined ? work() : withLogFields({ requestId }, work);
}

const SEVERITY: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 10,
  [LogLevel.INFO]: 20,
  [LogLevel.WARN]: 30,
  [LogLevel.ERROR]: 40,
};

export type LogSink = (line: string) => void;

/** Errors become {name, code, message, status, otcCode, otcRequestId}: never their request options or bodies. */
function describeError(e: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { name: e.name, message: e.message };
  for (const key of ['code', 'status', 'otcCode', 'otcRequestId', 'method', 'path']) {
    const value: unknown = Reflect.get(e, key);
    if (typeof value === 'string' || typeof value === 'number') out[key] = value;
  }
  return out;
}

function toRecord(args: readonly unknown[]): Record<string, unknown> {
  const texts: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const arg of args) {
    if (arg instanceof Error) fields['error'] = describeError(arg);
    else if (arg !== null && typeof arg === 'object' && !Array.isArray(arg)) {
      for (const [k, v] of Object.entries(arg)) fields[k] = v instanceof Error ? describeError(v) : v;
    } else texts.push(typeof arg === 'string' ? arg : JSON.stringify(arg));
  }
  return { msg: texts.join(' '), ...fields };
}

export function createLogger(
  options: { level?: string; name?: string; sink?: LogSink; now?: () => Date; fields?: LogFields } = {},
): Logger {
  const sink = options.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const state = { level: parseLevel(options.level), name: options.name ?? 'backup-bot' };
  const bound = options.fields ?? {};
  const emit = (level: LogLevel, args: readonly unknown[]) => {
    if (SEVERITY[level] < SEVERITY[state.level]) return;
    let line: string;
    try {
      const fields = { ...context.getStore(), ...bound };
      line = JSON.stringify({ time: now().toISOString(), level, name: state.name, ...fields, ...toRecord(args) });
    } catch {
      line = JSON.stringify({ time: now().toISOString(), level, name: state.name, msg: '[unserialisable log record]' });
    }
    sink(redactSecrets(line));
  };
  const logger: Logger = {
    debug: (...msg: unknown[]) => emit(LogLevel.DEBUG, msg),
    info: (...msg: unknown[]) => emit(LogLevel.INFO, msg),
    warn: (...msg: unknown[]) => emit(LogLevel.WARN, msg),
    error: (...msg: unknown[]) => emit(LogLevel.ERROR, msg),
    setLevel: (level: LogLevel) => {
      state.level = parseLevel(level);
    },
    getLevel: () => state.level,
    setName: (name: string) => {
      state.name = name;
    },
    child: (name: string) =>
      createLogger({ level: state.level, name: `${state.name}.${name}`, sink, now, fields: bound }),
    with: (fields: LogFields) =>
      createLogger({ level: state.level, name: state.name, sink, now, fields: { ...bound, ...fields } }),
  };
  return logger;
}

const LEVELS: ReadonlyMap<string, LogLevel> = new Map(Object.values(LogLevel).map((l) => [l, l]));

function parseLevel(level: string | undefined): LogLevel {
  const lower = (level ?? 'info').toLowerCase();
  return LEVELS.get(lower) ?? LogLevel.INFO;
}

/** A logger that keeps its lines in memory: for tests and the demo. */
export function createMemoryLogger(level = 'debug'): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return Object.assign(createLogger({ level, sink: (l) => lines.push(l) }), { lines });
}
