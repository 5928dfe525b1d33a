import { AsyncLocalStorage } from 'node:async_hooks';
import { paced, WorkTurns } from '../../src/flow/work-turns';

/** One turn of the event loop: what a step queued now has run by, and what was ready before has too. */
const oneTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('WorkTurns', () => {
  it('starts a step in a later turn, not at once', async () => {
    const turns = new WorkTurns();
    const started: string[] = [];
    const done = turns.take(() => {
      started.push('step');
      return Promise.resolve(42);
    });
    expect(started).toEqual([]);
    expect(turns.waiting).toBe(1);
    await expect(done).resolves.toBe(42);
    expect(started).toEqual(['step']);
    expect(turns.waiting).toBe(0);
  });

  it("runs each step in its caller's async context, not in that of whoever scheduled the turn", async () => {
    const turns = new WorkTurns();
    const context = new AsyncLocalStorage<string>();
    const seen: Array<[string, string | undefined]> = [];
    const step = (name: string) => () => {
      seen.push([name, context.getStore()]);
      return Promise.resolve();
    };
    // The first step schedules the turn from no request's context; the others are queued behind it.
    const outside = turns.take(step('outside'));
    const a = context.run('r-a', () => turns.take(step('a')));
    const b = context.run('r-b', () => turns.take(step('b')));
    await Promise.all([outside, a, b]);
    expect(seen).toEqual([
      ['outside', undefined],
      ['a', 'r-a'],
      ['b', 'r-b'],
    ]);
  });

  it('starts one step a turn while Slack is being answered, in order, and lets other work in between', async () => {
    const turns = new WorkTurns();
    turns.answered();
    const order: string[] = [];
    const steps = ['a', 'b', 'c'].map((name) =>
      turns.take(() => {
        order.push(name);
        return Promise.resolve();
      }),
    );
    // Queued after the first step's turn was scheduled: runs between the steps, as an ack would.
    setImmediate(() => order.push('io'));
    await Promise.all(steps);
    expect(order).toEqual(['a', 'io', 'b', 'c']);
  });

  /** A clock for the turns that moves only when a test moves it (a step moves it by the time it "takes"). */
  function steppedClock(): { now: () => number; advance: (ms: number) => void } {
    let t = 1_000;
    return { now: () => t, advance: (ms) => (t += ms) };
  }

  /**
   * Queues steps a to e, each "taking" `stepMs` on the turns' clock, and an 'io' callback queued
   * behind the first turn, as an ack would be: the order they ran in.
   */
  async function orderOfFiveSteps(options: { maxSteps?: number; stepMs: number }): Promise<string[]> {
    const clock = steppedClock();
    const turns = new WorkTurns({ budgetMs: 1, quietMs: 5, now: clock.now, ...options });
    const order: string[] = [];
    const steps = ['a', 'b', 'c', 'd', 'e'].map((name) =>
      turns.take(() => {
        order.push(name);
        clock.advance(options.stepMs);
        return Promise.resolve();
      }),
    );
    setImmediate(() => order.push('io'));
    await Promise.all(steps);
    return order;
  }

  it('runs steps back to back for up to its budget when no Slack request was answered lately', async () => {
    // Each step takes 0.4 ms: a turn runs three (at 0, 0.4 and 0.8 ms), then lets other work in.
    expect(await orderOfFiveSteps({ stepMs: 0.4 })).toEqual(['a', 'b', 'c', 'io', 'd', 'e']);
  });

  it('runs at most maxSteps a turn, however little time they take', async () => {
    expect(await orderOfFiveSteps({ stepMs: 0, maxSteps: 3 })).toEqual(['a', 'b', 'c', 'io', 'd', 'e']);
  });

  it('goes back to one step a turn as soon as a Slack request is answered, and to the budget once it is quiet', async () => {
    const clock = steppedClock();
    const turns = new WorkTurns({ budgetMs: 1, quietMs: 5, now: clock.now });
    const order: string[] = [];
    const step = (name: string) => () => {
      order.push(name);
      clock.advance(0.1);
      return Promise.resolve();
    };
    turns.answered();
    const loud = ['a', 'b'].map((name) => turns.take(step(name)));
    setImmediate(() => order.push('io'));
    await Promise.all(loud);
    expect(order).toEqual(['a', 'io', 'b']);
    // 5 ms after the last answer: quiet again, so the next steps share a turn.
    clock.advance(5);
    order.length = 0;
    const quiet = ['c', 'd'].map((name) => turns.take(step(name)));
    setImmediate(() => order.push('io'));
    await Promise.all(quiet);
    await oneTurn();
    expect(order).toEqual(['c', 'd', 'io']);
  });

  it('holds nothing while a step waits: the next step starts before the first one ends', async () => {
    const turns = new WorkTurns();
    let release!: () => void;
    const slow = turns.take(() => new Promise<string>((resolve) => (release = () => resolve('slow'))));
    const fast = turns.take(() => Promise.resolve('fast'));
    await expect(fast).resolves.toBe('fast');
    release();
    await expect(slow).resolves.toBe('slow');
  });

  it('passes a step’s failure on, thrown or rejected, and goes on with the next', async () => {
    const turns = new WorkTurns();
    const thrown = turns.take((): Promise<void> => {
      throw new Error('thrown');
    });
    const rejected = turns.take(() => Promise.reject(new Error('rejected')));
    const after = turns.take(() => Promise.resolve('after'));
    await expect(thrown).rejects.toThrow('thrown');
    await expect(rejected).rejects.toThrow('rejected');
    await expect(after).resolves.toBe('after');
  });

  it('next() resolves in a coming turn', async () => {
    const turns = new WorkTurns();
    let resumed = false;
    const waiting = turns.next().then(() => (resumed = true));
    expect(resumed).toBe(false);
    await waiting;
    expect(resumed).toBe(true);
  });
});

describe('paced', () => {
  class Port {
    readonly name = 'port';
    calls: string[] = [];
    read(id: string): Promise<string> {
      this.calls.push(`read ${id}`);
      return Promise.resolve(`${this.name}:${id}`);
    }
    renew(): Promise<boolean> {
      this.calls.push('renew');
      return Promise.resolve(true);
    }
    both(): Promise<string> {
      // A port's call of its own method is not paced a second time.
      return this.read('inner');
    }
  }

  it('starts each method call in a turn, with the port as `this`, and answers as the port does', async () => {
    const port = new Port();
    const turns = new WorkTurns();
    const wrapped = paced(port, turns);
    const answer = wrapped.read('x');
    expect(port.calls).toEqual([]);
    await expect(answer).resolves.toBe('port:x');
    expect(port.calls).toEqual(['read x']);
    await expect(wrapped.both()).resolves.toBe('port:inner');
    expect(wrapped.name).toBe('port');
  });

  it('calls the methods it is told not to pace at once', async () => {
    const port = new Port();
    const turns = new WorkTurns();
    const wrapped = paced(port, turns, ['renew']);
    const busy = turns.take(() => new Promise<void>(() => undefined));
    const renewed = wrapped.renew();
    expect(port.calls).toEqual(['renew']);
    await expect(renewed).resolves.toBe(true);
    await oneTurn();
    void busy;
  });
});
