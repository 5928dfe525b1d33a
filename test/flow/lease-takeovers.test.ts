import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { step } from '../../src/domain/request-state';
import type { FinalState } from '../../src/domain/request-state';
import { countFinalStates } from '../../src/flow/counted-records';
import { RequestExecutor } from '../../src/flow/execute-request';
import { Outbox } from '../../src/flow/outbox';
import type { FlowMetrics, LeaseKind, MessageDeliverer } from '../../src/flow/ports';
import { createMemoryLogger } from '../../src/log/logger';
import { openStore } from '../../src/store/open-store';
import type { RequestStore } from '../../src/store/request-store';
import { allowedRequest, createRequest, MINUTE, T0 } from '../store/fixtures';

/** Remembers what the flows counted. */
class CountingMetrics implements FlowMetrics {
  readonly takeovers: LeaseKind[] = [];
  readonly closed: FinalState[] = [];
  commandAnswered(): void {
    // not under test here
  }
  requestClosed(state: FinalState): void {
    this.closed.push(state);
  }
  leaseTakenOver(kind: LeaseKind): void {
    this.takeovers.push(kind);
  }
}

const delivering: MessageDeliverer = {
  deliver: () => Promise.resolve({ ok: true, root: { channel: 'C1', ts: '1.1' } }),
  tellNow: () => Promise.resolve(),
};

describe('counting work taken over from a holder whose lease ran out', () => {
  let dir: string;
  let store: RequestStore;
  let now: number;
  let metrics: CountingMetrics;
  const clock = { now: () => now };
  const logger = createMemoryLogger('debug');
  const outbox = (owner: string) => new Outbox(store, delivering, clock, logger, { owner, leaseMs: MINUTE, metrics });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'takeovers-'));
    store = await openStore({ databaseUrl: `sqlite:${join(dir, 'db.sqlite')}` });
    now = T0;
    metrics = new CountingMetrics();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts an outbox claim taken from a deliverer that stopped, and not an ordinary delivery', async () => {
    const first = await createRequest(store, allowedRequest());
    const [stuck] = await store.outbox.enqueue(first.id, [{ kind: 'root.post' }], now);
    await store.outbox.claim(stuck?.id ?? 0, 'replica-that-died#1', now, MINUTE);
    const second = await createRequest(store, allowedRequest());
    await store.outbox.enqueue(second.id, [{ kind: 'root.post' }], now);

    await outbox('replica-b').drain();
    expect(metrics.takeovers).toEqual([]);
    now += MINUTE;
    await outbox('replica-b').drain();
    expect(metrics.takeovers).toEqual(['outbox_claim']);
    expect(await store.outbox.listOpen(first.id)).toEqual([]);
  });

  async function runningOn(owner: string) {
    const request = await createRequest(store, allowedRequest());
    await store.requests.transition(
      request.id,
      step('allowed', 'running'),
      { runner: { owner, leaseUntil: now + MINUTE } },
      now,
    );
    return request;
  }

  function executorOf(request: Awaited<ReturnType<typeof runningOn>>) {
    return new RequestExecutor({
      store: { requests: countFinalStates(store.requests, metrics), queries: store.queries, audit: store.audit },
      backend: {
        listTargets: () => Promise.resolve([]),
        associate: () =>
          Promise.resolve({
            added: request.volumes.map((v) => ({ volumeId: v.id, availabilityZone: 'eu-de-01', pod: 'pod01' })),
            failed: [],
            chunks: [],
          }),
        disassociate: () => Promise.resolve({ added: [], failed: [], chunks: [] }),
        move: () => Promise.resolve({ added: [], failed: [], chunks: [] }),
        backupNow: () => Promise.resolve({ skipped: [] }),
      },
      outbox: outbox('replica-b'),
      deliverer: delivering,
      clock,
      logger,
      owner: 'replica-b',
      associate: { chunkSize: 20, concurrency: 2 },
      leaseMs: MINUTE,
      metrics,
    });
  }

  it('counts a resumed run, and the request it then finishes', async () => {
    const executor = executorOf(await runningOn('replica-that-died'));
    expect(await executor.resumeStale()).toBe(0);
    now += MINUTE + 1;
    expect(await executor.resumeStale()).toBe(1);
    expect(metrics.takeovers).toEqual(['run']);
    expect(metrics.closed).toEqual(['succeeded']);
  });

  it('does not count a run a stopping replica handed over (a deploy): it resumes it, and says so in the audit', async () => {
    const request = await runningOn('replica-stopping');
    expect(await store.requests.releaseRun(request.id, 'replica-stopping')).toBe(true);
    expect(await executorOf(request).resumeStale()).toBe(1);
    expect(metrics.takeovers).toEqual([]);
    expect(metrics.closed).toEqual(['succeeded']);
    const resumed = (await store.audit.list(request.id)).find((e) => e.kind === 'resumed');
    expect(resumed?.detail).toEqual({ runner: 'replica-b', handedOver: true });
  });

  it('counts a final state once: a lost compare-and-set and a step that is not final count nothing', async () => {
    const records = countFinalStates(store.requests, metrics);
    const request = await createRequest(store, allowedRequest());
    await records.transition(request.id, step('allowed', 'running'), { runner: { owner: 'a', leaseUntil: now } }, now);
    expect(metrics.closed).toEqual([]);
    const outcome = { added: [], failed: [], startedAt: now, finishedAt: now };
    await records.transition(request.id, step('running', 'failed'), { outcome }, now);
    await records.transition(request.id, step('running', 'failed'), { outcome }, now);
    expect(metrics.closed).toEqual(['failed']);
  });
});
