import type { Logger } from '../log/logger';

/**
 * Work that goes on after the person has been answered: delivering a request's messages,
 * running it, and the Slack listeners' work after their ack. Each piece is tracked, so that a stop can wait for what is under way, and a failure
 * is logged (the outbox and the scheduler finish what a failure leaves: nothing is lost with it).
 */
export class BackgroundWork {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Starts `work` now and returns at once. */
  run(what: string, work: () => Promise<unknown>): void {
    const tracked: Promise<void> = work()
      .then(
        () => undefined,
        (e: unknown) => this.logger.error(`${what} failed; the scheduler will finish it`, { error: e }),
      )
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  /**
   * Counts `work`, already started elsewhere, as under way until it settles, and returns it as it
   * is: its caller sees its outcome (a Slack listener's failure goes to Bolt's error handler).
   */
  track<T>(work: Promise<T>): Promise<T> {
    const tracked: Promise<void> = work
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    return work;
  }

  /** How many pieces are under way. */
  get size(): number {
    return this.running.size;
  }

  /** Resolves once all work started so far, and all it started in turn, has ended. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
