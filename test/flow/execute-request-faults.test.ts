import { StoreUnavailableError } from '../../src/store/store-errors';
import { auditKinds, recorded, stored, typeCommand, useFlowFixture } from '../support/flow-fixture';
import { ALICE } from '../support/flow-world';

/** What a run does when the database fails after the cloud was called, and how a live runner keeps its lease. */
describe('RequestExecutor under faults', () => {
  const fixture = useFlowFixture();
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  it('audits the cloud call, tells the thread the truth and leaves the request to be finished when the database fails after the call', async () => {
    const f = fixture();
    const transition = f.store.requests.transition.bind(f.store.requests);
    // The final write fails (the database went away right after the cloud answered).
    const failing = jest
      .spyOn(f.store.requests, 'transition')
      .mockImplementation((id, step, ...rest) =>
        step.from === 'running'
          ? Promise.reject(new StoreUnavailableError('database is locked'))
          : transition(id, step, ...rest),
      );
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    await f.deps.work.idle();

    expect(f.cloud.associateCalls).toHaveLength(1);
    expect(await auditKinds(f, request.id)).toContain('cloud_call');
    expect(f.deliverer.notices).toEqual([{ requestId: request.id, notice: 'outcome_not_recorded' }]);
    expect(f.deliverer.kinds(request.id)).toEqual(['root.post']);
    expect((await stored(f, request.id)).state).toBe('running');

    // The database is back; once the dead run's lease has run out, the scheduler's resume finishes it.
    failing.mockRestore();
    f.clock.advance(f.config.execution.runLeaseMs + 1);
    expect(await f.deps.executor.resumeStale()).toBe(1);
    const done = await stored(f, request.id);
    expect(done.state).toBe('succeeded');
    expect(f.deliverer.kinds(request.id).filter((k) => k === 'thread.summary')).toHaveLength(1);
    expect((await auditKinds(f, request.id)).filter((k) => k === 'cloud_call')).toHaveLength(2);
  });

  it('keeps the lease of a live runner whose cloud call outlasts it, so nobody takes the request over', async () => {
    jest.useFakeTimers({ doNotFake: ['Date', 'nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout'] });
    const f = fixture();
    const lease = f.config.execution.runLeaseMs;
    let answer: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (answer = resolve));
    const associate = f.cloud.associate.bind(f.cloud);
    jest.spyOn(f.cloud, 'associate').mockImplementation(async (...args) => {
      await held;
      return associate(...args);
    });
    const request = recorded(await typeCommand(f, ALICE, 'daily-7d db-data-1'));
    while (f.cloud.count('associate') === 0 && (await stored(f, request.id)).state !== 'running')
      await new Promise((resolve) => setImmediate(resolve));

    // Three leases pass while the call hangs; the heartbeat renews the lease each third of one.
    for (let i = 0; i < 9; i += 1) {
      f.clock.advance(lease / 3);
      await jest.advanceTimersByTimeAsync(lease / 3);
    }
    expect(await f.store.queries.listStaleRunning(f.clock.now(), 10)).toEqual([]);
    expect(await f.deps.executor.resumeStale()).toBe(0);

    answer();
    await f.deps.work.idle();
    expect((await stored(f, request.id)).state).toBe('succeeded');
    expect(f.cloud.associateCalls).toHaveLength(1);
  });
});
