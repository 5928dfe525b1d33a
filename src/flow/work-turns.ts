import { AsyncResource } from 'node:async_hooks';

/**
 * Paces the work done after people have been answered (reading and writing the store, rendering
 * and sending Slack messages, starting cloud calls). A step is the synchronous start of a call: it
 * has its turn while it computes and holds nothing while it waits for the cloud or Slack, so a slow
 * cloud slows no other request.
 *
 * While Slack's requests are being answered (one within the last `quietMs`), steps run one per turn
 * of the event loop, and between two steps Node serves whatever waits, first of all Slack's next
 * requests, whose acks must not queue behind a burst of work (Slack gives up after 3 s): a turn
 * that ran several steps also brought back the answers of several calls at once (their handling is
 * not paced), and acks queued behind them. When none has come for `quietMs`, as while a burst's
 * work drains, a turn runs steps back to back for up to `budgetMs` and at most `maxSteps`: a turn
 * of the loop per step cost more CPU than many steps themselves (measured with `npm run bench`: about
 * a sixth of the bot's CPU per command), and nobody waits for an ack then. The cap bounds what the
 * budget cannot see: a step only asks for its store write, and the turn's writes run together once
 * its steps are done (store/sqlite-database.ts), so a long turn would also mean a long batch (a
 * bulk request's thousand writes held the loop 13 ms without it). 64, not fewer: a cap of 16 cost
 * 8-15 % more CPU per command in the bench, 64 none measurable.
 */
export interface WorkTurnsOptions {
  /** How long a turn may run steps when no Slack request was answered within `quietMs`. Default 1 ms. */
  readonly budgetMs?: number;
  /** Default 50 ms. */
  readonly quietMs?: number;
  /** The most steps a turn runs when it may run several. Default 64. */
  readonly maxSteps?: number;
  /** Milliseconds, monotonic; default `performance.now`. */
  readonly now?: () => number;
}

export class WorkTurns {
  private readonly queue: Array<() => void> = [];
  private scheduled = false;
  private lastAnswer = Number.NEGATIVE_INFINITY;
  private readonly budgetMs: number;
  private readonly quietMs: number;
  private readonly maxSteps: number;
  private readonly now: () => number;

  constructor(options: WorkTurnsOptions = {}) {
    this.budgetMs = options.budgetMs ?? 1;
    this.quietMs = options.quietMs ?? 50;
    this.maxSteps = options.maxSteps ?? 64;
    this.now = options.now ?? (() => performance.now());
  }

  /** A Slack request was just answered (acked): more may be on their way, so one step a turn for now. */
  answered(): void {
    this.lastAnswer = this.now();
  }

  /** Whether a Slack request was answered within `quietMs`: then the next turn runs one step. */
  get answering(): boolean {
    return this.answeringAt(this.now());
  }

  private answeringAt(now: number): boolean {
    return now - this.lastAnswer < this.quietMs;
  }

  /** Steps waiting for their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Starts `step` in a coming turn, after the steps queued before it; settles as the step does. The
   * step runs in its caller's async context (an AsyncResource made here), not in that of whoever
   * scheduled the turn: else a request's cloud and Slack calls would log under another request's
   * id, or none. Not `AsyncResource.bind`: on Node 20 each bound function also defines a deprecated
   * getter and setter, which the bench's profile put at 3 % of the bot's CPU.
   */
  take<T>(step: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const caller = new AsyncResource('WorkTurns.step');
      this.queue.push(() =>
        caller.runInAsyncScope(() => {
          try {
            step().then(resolve, reject);
          } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
          }
        }),
      );
      this.schedule();
    });
  }

  /** Resolves in a coming turn: what follows the await runs as a step of its own. */
  next(): Promise<void> {
    return this.take(() => Promise.resolve());
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate: the loop first handles the I/O that is ready (a request waiting for its ack).
    setImmediate(() => {
      this.scheduled = false;
      const start = this.now();
      const until = this.answeringAt(start) ? start : start + this.budgetMs;
      let ran = 0;
      do {
        this.queue.shift()?.();
        ran += 1;
      } while (this.queue.length > 0 && ran < this.maxSteps && this.now() < until);
      if (this.queue.length > 0) this.schedule();
    });
  }
}

/**
 * `port` with each method call started in a turn of `turns` (see WorkTurns), except the methods
 * named in `unpaced`: lease renewals, which keep a live holder's claim and must never wait behind
 * work. Every method of a port returns a promise, so a caller sees no difference but the wait.
 */
export function paced<T extends object>(port: T, turns: WorkTurns, unpaced: readonly string[] = []): T {
  return new Proxy(port, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      // Called on the port itself, so that the port's calls of its own methods are not paced twice.
      const method = value as (...args: unknown[]) => Promise<unknown>;
      if (typeof key === 'string' && unpaced.includes(key)) return (...args: unknown[]) => method.apply(target, args);
      return (...args: unknown[]) => turns.take(() => method.apply(target, args));
    },
  });
}
