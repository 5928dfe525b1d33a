import { Worker } from 'node:worker_threads';

/**
 * Copies the SQLite write-ahead log into the database file from a thread of its own. By default
 * SQLite does this inside a commit once the log passes 1000 pages: that commit then writes some 4 MB
 * and syncs the file, on the bot's only thread, while Slack waits for acks. Measured on the bot's
 * own write pattern, those checkpoints were about a quarter of the CPU of a write, with stalls of
 * several milliseconds. Here the main connection never checkpoints (`wal_autocheckpoint = 0`) and a
 * worker thread with its own connection runs a PASSIVE checkpoint every `everyMs`: one that never
 * waits for a lock and never blocks a writer or a reader. Should the worker fail, the connection
 * checkpoints as before.
 */
export interface Checkpointer {
  /** Stops the worker; what is left in the log, closing the last connection checkpoints. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  /** The database file (WAL mode). */
  readonly path: string;
  /** Between two checkpoints. */
  readonly everyMs: number;
  /** Runs a pragma on the main connection: the checkpointer turns automatic checkpoints off, and back on if it fails. */
  readonly pragma: (sql: string) => void;
  /** Told once when the worker failed and checkpoints went back to the main connection. */
  readonly onFailure: (error: string) => void;
  /** The better-sqlite3 module the worker loads (tests point it elsewhere to make it fail). */
  readonly driver?: string;
}

export const CHECKPOINT_EVERY_MS = 1_000;
/**
 * The thread starts this long after the store opens: a store that lives shorter (a check, a test)
 * never starts one, and until then commits checkpoint as SQLite does by default.
 */
export const CHECKPOINT_START_AFTER_MS = 3_000;
/** SQLite's default `wal_autocheckpoint`, restored when the worker fails. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/** The worker's code (plain JavaScript, so it runs the same from dist/ and under ts-jest). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    // SQLITE_BUSY or LOCKED: another checkpoint is under way; the next tick tries again.
    if (!/^SQLITE_(BUSY|LOCKED)/.test(String(e && e.code))) throw e;
  }
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage('ready');
`;

/** Starts the worker; the main connection's automatic checkpoints stop once it is ready. */
export function startCheckpointer(options: CheckpointerOptions): Checkpointer {
  const driver = options.driver ?? require.resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path: options.path, everyMs: options.everyMs, driver },
  });
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping = false;
  let failed = false;
  const fail = (error: string): void => {
    if (failed || stopping) return;
    failed = true;
    options.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    options.onFailure(error);
  };
  worker.on('message', (m) => {
    if (m === 'ready' && !failed && !stopping) options.pragma('wal_autocheckpoint = 0');
  });
  worker.on('error', (e) => fail(e.message));
  worker.on('exit', (code) => fail(`the checkpoint thread exited (${code})`));
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      if (!failed) options.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
      worker.postMessage('stop');
      // A worker that does not end on its own within a second is ended.
      const timer = setTimeout(() => void worker.terminate(), 1_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
