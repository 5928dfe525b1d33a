import type { Logger } from '../log/logger';

export interface ScheduledTask {
  readonly name: string;
  readonly everyMs: number;
  run(): Promise<unknown>;
}

export interface Scheduler {
  /** Runs every task once now, in order (used at start and by tests). */
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
      for (const task of tasks) await runTask(task);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all(running.values());
    },
  };
}
