import { HEARTBEATS_PER_LEASE, withHeartbeat } from '../../src/flow/heartbeat';
import { createMemoryLogger } from '../../src/log/logger';

const LEASE_MS = 3_000;
const BEAT_MS = LEASE_MS / HEARTBEATS_PER_LEASE;

/** A holder whose renewals answer from a script (true: held, false: taken over, an Error: thrown). */
function holder(script: Array<boolean | Error>) {
  const logger = createMemoryLogger('debug');
  const state = { renewals: 0, lost: 0 };
  const beat = {
    leaseMs: LEASE_MS,
    now: () => Date.now(),
    heldSince: Date.now(),
    renew: () => {
      state.renewals += 1;
      const next = script.shift() ?? true;
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
    onLost: () => {
      state.lost += 1;
    },
    logger,
    what: 'request r-1',
  };
  return { beat, state, logger };
}

/** Runs work that lasts `beats` renewals, on fake timers. */
async function holdFor(beat: Parameters<typeof withHeartbeat>[0], beats: number): Promise<void> {
  let finish: () => void = () => undefined;
  const work = withHeartbeat(beat, () => new Promise<void>((resolve) => (finish = resolve)));
  await jest.advanceTimersByTimeAsync(beats * BEAT_MS);
  finish();
  await work;
}

describe('withHeartbeat', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('renews each third of a lease while the work lasts, and stops with it', async () => {
    const { beat, state } = holder([]);
    await holdFor(beat, 5);
    expect(state).toEqual({ renewals: 5, lost: 0 });
    await jest.advanceTimersByTimeAsync(5 * BEAT_MS);
    expect(state.renewals).toBe(5);
  });

  it('gives the work up once when a renewal finds the lease taken over', async () => {
    const { beat, state } = holder([true, false, true]);
    await holdFor(beat, 4);
    // No renewal after it: the work is another holder's.
    expect(state).toEqual({ renewals: 2, lost: 1 });
  });

  it('gives the work up when no renewal held for a whole lease: by then the lease has run out', async () => {
    const down = new Error('database unreachable');
    const brief = holder([down, down]);
    await holdFor(brief.beat, HEARTBEATS_PER_LEASE - 1);
    expect(brief.state.lost).toBe(0);
    const long = holder([down, down, down, down]);
    await holdFor(long.beat, HEARTBEATS_PER_LEASE + 1);
    // Two renewals failed; at the third beat the lease has run out, and none is sent.
    expect(long.state).toEqual({ renewals: HEARTBEATS_PER_LEASE - 1, lost: 1 });
    const said = long.logger.lines.filter((l) => l.includes('no renewal held for a whole lease'));
    expect(said).toHaveLength(1);
  });

  it('gives the work up when a renewal hangs for a whole lease', async () => {
    const logger = createMemoryLogger('debug');
    let lost = 0;
    const beat = {
      leaseMs: LEASE_MS,
      now: () => Date.now(),
      heldSince: Date.now(),
      renew: () => new Promise<boolean>(() => undefined),
      onLost: () => (lost += 1),
      logger,
      what: 'request r-1',
    };
    await holdFor(beat, HEARTBEATS_PER_LEASE - 1);
    expect(lost).toBe(0);
    const again = { ...beat, heldSince: Date.now() };
    await holdFor(again, HEARTBEATS_PER_LEASE);
    expect(lost).toBe(1);
  });

  it('counts the lease from when it was taken, not from when the work started', async () => {
    const { beat, state } = holder([true, true]);
    // Taken two beats before the work started (its start waited in the work queue).
    const late = { ...beat, heldSince: Date.now() - 2 * BEAT_MS };
    await holdFor(late, 1);
    expect(state).toEqual({ renewals: 0, lost: 1 });
  });

  it('starts the lease again from each renewal that holds', async () => {
    const down = new Error('database unreachable');
    // Each renewal extends the lease a whole lease from when it was sent; one that fails in between
    // loses nothing.
    const { beat, state } = holder([down, true, down, true, down, true, down]);
    await holdFor(beat, 7);
    expect(state).toEqual({ renewals: 7, lost: 0 });
  });
});
