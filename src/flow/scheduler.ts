import { expireDue, remindDue } from './approvals';
import type { FlowDeps } from './flow-deps';
import type { Logger } from '../log/logger';

export interface ScheduledTask {
  readonly name: string;
  readonly everyMs: number;
  run(): Promise<unknown>;
}

export interface Scheduler {
  /** Runs every task once now, in order (used at start and by tests); once stopped, starts none. */
  runAll(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The bot's own background loops (outbox retries, resuming stale runs, approval expiry): one
 * loop per task over the store, never one timer per request. A task's failure is logged and
 * the loop goes on; a task never overlaps itself.
 */
export function startScheduler(tasks: readonly ScheduledTask[], logger: Logger): Scheduler {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();

  const runTask = (task: ScheduledTask): Promise<void> => {
    const current = running.get(task.name);
    if (current) return current;
    const p = task
      .run()
      .then(() => undefined)
      .catch((e: unknown) => logger.error(`background task ${task.name} failed`, { error: e }))
      .finally(() => running.delete(task.name));
    running.set(task.name, p);
    return p;
  };

  const schedule = (task: ScheduledTask) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void runTask(task).finally(() => schedule(task));
    }, task.everyMs);
    timer.unref();
    timers.add(timer);
  };
  for (const task of tasks) schedule(task);

  return {
    async runAll() {
      for (const task of tasks) {
        if (stopped) return;
        await runTask(task);
      }
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all(running.values());
    },
  };
}

/** How often each background task runs; tests shorten them. */
export interface Intervals {
  readonly outboxMs?: number;
  readonly resumeMs?: number;
  readonly approvalsMs?: number;
  /** How often due watches of first backups are looked at (each watch sets its own next look). */
  readonly watchMs?: number;
}

/**
 * The bot's background tasks: retry owed messages, resume requests whose runner died, start
 * requests whose start was interrupted, expire and remind approvals, drop old drafts and the
 * double-submit keys whose window has passed.
 */
export function backgroundTasks(deps: FlowDeps, intervals: Intervals = {}): ScheduledTask[] {
  // Often and cheap (an indexed query): a dead runner's request is taken over within a lease and a poll.
  const resumeMs = intervals.resumeMs ?? 5_000;
  const approvalsMs = intervals.approvalsMs ?? 15_000;
  return [
    { name: 'outbox', everyMs: intervals.outboxMs ?? 5_000, run: () => deps.outbox.drain() },
    { name: 'resume', everyMs: resumeMs, run: () => deps.executor.resumeStale() },
    { name: 'start-interrupted', everyMs: resumeMs, run: () => deps.executor.startInterrupted() },
    { name: 'expire', everyMs: approvalsMs, run: () => expireDue(deps) },
    { name: 'remind', everyMs: approvalsMs, run: () => remindDue(deps) },
    { name: 'watch-backups', everyMs: intervals.watchMs ?? 15_000, run: () => deps.watcher.runDue() },
    { name: 'drafts', everyMs: 3_600_000, run: () => deps.drafts.deleteExpired(deps.clock.now()) },
    { name: 'dedupe', everyMs: 3_600_000, run: () => deps.requests.forgetExpiredDedupe(deps.clock.now()) },
  ];
}
