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
    const { beat, state } = holder([true, false, false]);
    await holdFor(beat, 4);
    expect(state).toEqual({ renewals: 4, lost: 1 });
  });

  it('gives the work up when renewals fail for a whole lease: by then the lease has run out', async () => {
    const down = new Error('database unreachable');
    const brief = holder([down, down]);
    await holdFor(brief.beat, HEARTBEATS_PER_LEASE - 1);
    expect(brief.state.lost).toBe(0);
    const long = holder([down, down, down, down]);
    await holdFor(long.beat, HEARTBEATS_PER_LEASE + 1);
    expect(long.state).toEqual({ renewals: HEARTBEATS_PER_LEASE + 1, lost: 1 });
    const said = long.logger.lines.filter((l) => l.includes('could not renew the lease for a whole lease'));
    expect(said).toHaveLength(1);
  });

  it('counts only failures in a row: one renewal that holds starts the count again', async () => {
    const down = new Error('database unreachable');
    const { beat, state } = holder([down, down, true, down, down, true]);
    await holdFor(beat, 6);
    expect(state).toEqual({ renewals: 6, lost: 0 });
  });
});
