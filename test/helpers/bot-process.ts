import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from '../../src/demo/wait';

/**
 * The bot as a real OS process: `node -r test/helpers/register-ts.js src/main.ts`, the entry point
 * `npm start` runs, configured only by its environment and the YAML file. Every process started
 * here is killed by `cleanUpBotProcesses()` (call it in afterEach), and every temp dir removed.
 */

const ROOT = join(__dirname, '..', '..');
const REGISTER_TS = join(__dirname, 'register-ts.js');
const MAIN = join(ROOT, 'src', 'main.ts');

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One JSON log line of the bot (non-JSON lines, e.g. Node warnings, come as `{ msg: line }`). */
export type LogRecord = Readonly<Record<string, unknown>>;

export interface BotProcessOptions {
  /** The bot's whole environment (plus PATH); PORT defaults to 0 (the bound port is read from the log). */
  readonly env: Readonly<Record<string, string>>;
  /** The YAML file's text; written to `<dir>/backup-bot.yml`, which BACKUP_BOT_CONFIG names. */
  readonly yaml: string;
  readonly dir: string;
  /** A label for failure messages, e.g. "first bot". */
  readonly name?: string;
  /** Run `npm start` in the repository instead of src/main.ts (it builds dist/ first when needed). */
  readonly viaNpmStart?: boolean;
}

export interface BotProcess {
  readonly name: string;
  readonly pid: number;
  /** stdout and stderr lines, in arrival order. */
  readonly lines: readonly string[];
  /** Resolves once the process exited and its output was read to the end. */
  readonly exited: Promise<ExitStatus>;
  exitStatus(): ExitStatus | undefined;
  logs(): LogRecord[];
  /** Waits for the "backup bot running" line, then for GET /readyz to answer 200; returns the port. */
  waitUntilReady(timeoutMs?: number): Promise<number>;
  waitForLog(what: string, match: (record: LogRecord) => boolean, timeoutMs?: number): Promise<LogRecord>;
  /** Sends the signal (unless the process already exited) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<ExitStatus>;
  /** SIGKILLs the process and, for `npm start`, every process of its group. */
  killAll(): Promise<ExitStatus>;
}

const live = new Set<BotProcess>();
const tempDirs = new Set<string>();

// Last resort if the test process ends without cleaning up (e.g. Jest stops a worker): no orphans.
process.once('exit', () => {
  for (const bot of live) {
    try {
      process.kill(bot.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A fresh temp dir, removed by `cleanUpBotProcesses()`. */
export function makeTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'otc-backup-bot-process-'));
  tempDirs.add(dir);
  return dir;
}

function parseLine(line: string): LogRecord {
  try {
    const value: unknown = JSON.parse(line);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as LogRecord;
  } catch {
    // not JSON: fall through
  }
  return { msg: line };
}

/** Starts the bot's entry point as a child process; does not wait for it to be ready. */
export function spawnBotProcess(options: BotProcessOptions): BotProcess {
  const configPath = join(options.dir, 'backup-bot.yml');
  writeFileSync(configPath, options.yaml);
  const env = { PATH: process.env['PATH'] ?? '', PORT: '0', ...options.env, BACKUP_BOT_CONFIG: configPath };
  const child: ChildProcess = options.viaNpmStart
    ? // Its own process group, so the cleanup can kill whatever npm left behind (the bug this checks for).
      spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    : spawn(process.execPath, ['--enable-source-maps', '-r', REGISTER_TS, MAIN], {
        cwd: options.dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
  if (child.pid === undefined) throw new Error('the bot process could not be spawned');
  const name = options.name ?? `bot pid ${child.pid}`;
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => lines.push(line));
  let status: ExitStatus | undefined;
  // 'close' (not 'exit'): stdout and stderr have been read to the end by then.
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once('close', (code, signal) => {
      status = { code, signal };
      live.delete(bot);
      resolve(status);
    }),
  );
  const logs = () => lines.map(parseLine);
  const output = () => `\n--- output of ${name} ---\n${lines.join('\n')}`;
  const notExited = (what: string) => {
    if (status !== undefined)
      throw new Error(`${name} exited (${JSON.stringify(status)}) while waiting for ${what}${output()}`);
  };

  const bot: BotProcess = {
    name,
    pid: child.pid,
    lines,
    exited,
    exitStatus: () => status,
    logs,
    async waitForLog(what, match, timeoutMs = 30_000) {
      return waitFor(
        `${name} to log ${what}`,
        () => {
          const found = logs().find(match);
          if (found === undefined) notExited(what);
          return found;
        },
        timeoutMs,
      ).catch((e: unknown) => {
        throw e instanceof Error && !e.message.includes('--- output') ? new Error(e.message + output()) : e;
      });
    },
    async waitUntilReady(timeoutMs = 30_000) {
      const running = await bot.waitForLog(
        'that it runs',
        (r) => typeof r['msg'] === 'string' && r['msg'].startsWith('backup bot running'),
        timeoutMs,
      );
      const port = running['port'];
      if (typeof port !== 'number') throw new Error(`${name} logged no port${output()}`);
      await waitFor(
        `${name} to answer GET /readyz with 200`,
        async () => {
          notExited('GET /readyz');
          const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
          await res?.body?.cancel();
          return res?.status === 200 ? true : undefined;
        },
        timeoutMs,
        100,
      );
      return port;
    },
    async kill(signal) {
      if (status === undefined) child.kill(signal);
      return exited;
    },
    async killAll() {
      if (!options.viaNpmStart) return bot.kill('SIGKILL');
      try {
        process.kill(-bot.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
      return exited;
    },
  };
  live.add(bot);
  return bot;
}

/** Spawns the bot and waits until it is healthy. */
export async function startBotProcess(options: BotProcessOptions): Promise<{ bot: BotProcess; port: number }> {
  const bot = spawnBotProcess(options);
  return { bot, port: await bot.waitUntilReady() };
}

/** Kills every bot process still running (SIGKILL) and removes the temp dirs: no orphans, no litter. */
export async function cleanUpBotProcesses(): Promise<void> {
  await Promise.all([...live].map((bot) => bot.killAll()));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}
