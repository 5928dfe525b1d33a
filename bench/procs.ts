import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '../src/demo/wait';

/** The benchmark's child processes: start, wait until they answer, read their RSS and CPU, stop. */

export const ROOT = join(__dirname, '..');
const REGISTER_TS = join(ROOT, 'test', 'helpers', 'register-ts.js');

export interface Child {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  exitCode(): number | null | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

export interface SpawnOptions {
  readonly name: string;
  /** Arguments to node (a script and its arguments); a `.ts` script runs through the repo's register hook. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** stdout and stderr go to this file. */
  readonly logFile: string;
  readonly cwd?: string;
  /** Extra node flags (e.g. --cpu-prof) before the script. */
  readonly nodeFlags?: readonly string[];
}

export function spawnNode(options: SpawnOptions): Child {
  const script = options.args[0] ?? '';
  const flags = [...(options.nodeFlags ?? []), ...(script.endsWith('.ts') ? ['-r', REGISTER_TS] : [])];
  const out = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...flags, ...options.args], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`${options.name} could not be spawned`);
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (c) => {
      code = c;
      resolve(c);
    }),
  );
  live.add(child);
  void exited.then(() => live.delete(child));
  return {
    name: options.name,
    pid: child.pid,
    logFile: options.logFile,
    exited,
    exitCode: () => code,
    async stop(graceMs = 15_000) {
      if (code !== undefined) return code;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

const live = new Set<ChildProcess>();
// The bench never leaves a process behind, however it ends.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A port free right now on 127.0.0.1 (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until GET `url` answers 200 (or the child exits). */
export async function waitForHttp(child: Child, url: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `${child.name} to answer ${url}`,
    async () => {
      const exit = child.exitCode();
      if (exit !== undefined) throw new Error(`${child.name} exited with ${String(exit)}; see ${child.logFile}`);
      const res = await fetch(url).catch(() => undefined);
      await res?.body?.cancel();
      return res?.status === 200 ? true : undefined;
    },
    timeoutMs,
    100,
  );
}

/** Resident memory and CPU time used so far, read the same way for every process. */
export interface ProcessUsage {
  readonly rssBytes: number;
  readonly cpuMs: number;
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const n = Number(out.stdout.trim());
    clockTicks = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return clockTicks;
}

/** From /proc (Linux): VmRSS, and utime + stime. Elsewhere from `ps` (RSS, and CPU time to the second). */
export function processUsage(pid: number): ProcessUsage {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces): state is field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime (14), stime (15)
    return { rssBytes: rssKb * 1024, cpuMs: (ticks / ticksPerSecond()) * 1000 };
  } catch {
    const out = spawnSync('ps', ['-o', 'rss=,time=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim();
    const [rss, time] = out.split(/\s+/);
    const parts = (time ?? '').split(/[-:]/).map(Number).reverse();
    const seconds = (parts[0] ?? 0) + (parts[1] ?? 0) * 60 + (parts[2] ?? 0) * 3600 + (parts[3] ?? 0) * 86400;
    return { rssBytes: Number(rss) * 1024, cpuMs: seconds * 1000 };
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the highest seen. */
export function sampleRss(pid: number, everyMs = 50): { stop(): number } {
  let peak = processUsage(pid).rssBytes;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, processUsage(pid).rssBytes);
    } catch {
      // the process ended
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, processUsage(pid).rssBytes);
    },
  };
}

/**
 * The node flags `npm start` runs the bot with (package.json's start script: `exec node <flags>
 * scripts/start.js`); the bench starts the bot with the same, and the Dockerfile's CMD must match.
 */
export function deployedNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const match = /^exec node ((?:--\S+ )*)scripts\/start\.js$/.exec(pkg.scripts?.['start'] ?? '');
  if (match === null) throw new Error('package.json start is not "exec node [--flag ...] scripts/start.js"');
  return (match[1] ?? '').split(' ').filter((flag) => flag !== '');
}
