import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupRequest } from '../../src/domain/backup-request';
import type { ExecutorDeps } from '../../src/flow/execute-request';
import { RequestExecutor } from '../../src/flow/execute-request';
import type { DeliveryResult, MessageDeliverer } from '../../src/flow/ports';
import { Outbox } from '../../src/flow/outbox';
import { startScheduler } from '../../src/flow/scheduler';
import { waitFor } from '../../src/demo/wait';
import { createMemoryLogger } from '../../src/log/logger';
import type { AssociationResult } from '../../src/otc/types';
import { NOT_SENT_MESSAGE } from '../../src/otc/associate';
import { OtcNetworkError } from '../../src/otc/errors';
import { openStore } from '../../src/store/open-store';
import type { NewOutboxMessage, OutboxMessage, RequestStore } from '../../src/store/request-store';
import type { VolumeId } from '../../src/domain/ids';
import { asPolicyId, asVolumeId } from '../../src/domain/ids';
import { makeVolumeIds } from '../otc/helpers';
import { allowedRequest, createRequest, MINUTE, T0 } from '../store/fixtures';

/**
 * Records deliveries; answers from a script (default: ok). `renders`: a root post or edit says it
 * rendered the root message now, as the Slack deliverer does when it posts or edits it. `during`:
 * runs while a message is being delivered (a state change made meanwhile).
 */
class ScriptedDeliverer implements MessageDeliverer {
  readonly delivered: string[] = [];
  readonly script: DeliveryResult[] = [];
  renders = false;
  during: ((message: OutboxMessage) => Promise<void>) | undefined;
  async deliver(message: OutboxMessage, request: BackupRequest): Promise<DeliveryResult> {
    await this.during?.(message);
    const next = this.script.shift() ?? { ok: true };
    if (!next.ok) return next;
    this.delivered.push(`${request.id}:${message.intent.kind}`);
    const kind = message.intent.kind;
    const rendered = this.renders && (kind === 'root.post' || kind === 'root.update') && { rendered: true };
    return { ...next, ...(kind === 'root.post' && { root: { channel: 'C1', ts: '1.1' } }), ...rendered };
  }
  tellNow(): Promise<void> {
    return Promise.resolve();
  }
}

describe('Outbox', () => {
  let dir: string;
  let store: RequestStore;
  let now: number;
  const clock = { now: () => now };
  let deliverer: ScriptedDeliverer;
  let outbox: Outbox;
  const logger = createMemoryLogger('debug');
  /** What a state change does: queue the messages with it, then flush. */
  const send = async (id: BackupRequest['id'], messages: NewOutboxMessage[]) => {
    await store.outbox.enqueue(id, messages, now);
    await outbox.flushRequest(id);
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    store = await openStore({ databaseUrl: `sqlite:${join(dir, 'db.sqlite')}` });
    now = T0;
    deliverer = new ScriptedDeliverer();
    outbox = new Outbox(store, deliverer, clock, logger, { owner: 'test', backoffMs: [1000, 5000] });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers at once, in order, and records the root message', async () => {
    const r = await createRequest(store, allowedRequest());
    await send(r.id, [{ kind: 'root.post' }, { kind: 'root.update' }]);
    expect(deliverer.delivered).toEqual([`${r.id}:root.post`, `${r.id}:root.update`]);
    expect((await store.requests.get(r.id))!.rootMessage).toEqual({ channel: 'C1', ts: '1.1' });
    expect(await store.outbox.listOpen(r.id)).toEqual([]);
  });

  it('claims each message after the first with the completion of the one before it', async () => {
    const r = await createRequest(store, allowedRequest());
    await store.outbox.enqueue(r.id, [{ kind: 'root.post' }, { kind: 'thread.summary' }, { kind: 'root.update' }], now);
    const claim = jest.spyOn(store.outbox, 'claim');
    const listOpen = jest.spyOn(store.outbox, 'listOpen');
    const complete = jest.spyOn(store.outbox, 'complete');
    await outbox.flushRequest(r.id);
    expect(deliverer.delivered).toEqual([`${r.id}:root.post`, `${r.id}:thread.summary`, `${r.id}:root.update`]);
    expect(claim).toHaveBeenCalledTimes(1);
    expect(listOpen).toHaveBeenCalledTimes(1);
    expect(complete).toHaveBeenCalledTimes(3);
    // Each claim has an owner of its own, as a flush's claims always had.
    const owners = complete.mock.calls.map((call) => call[1]);
    expect(new Set(owners).size).toBe(3);
    expect(await store.outbox.listOpen(r.id)).toEqual([]);
  });

  it('keeps a failed message and its followers, and retries them in order after the backoff', async () => {
    const r = await createRequest(store, allowedRequest());
    deliverer.script.push({ ok: false, retryable: true, error: 'ratelimited' });
    await send(r.id, [{ kind: 'root.post' }, { kind: 'thread.summary' }]);
    expect(deliverer.delivered).toEqual([]);
    expect((await store.outbox.listOpen(r.id)).map((m) => m.intent.kind)).toEqual(['root.post', 'thread.summary']);
    now += 999;
    expect(await outbox.drain()).toBe(0);
    now += 1;
    await outbox.drain();
    expect(deliverer.delivered).toEqual([`${r.id}:root.post`, `${r.id}:thread.summary`]);
    expect(logger.lines.some((l) => l.includes('will retry'))).toBe(true);
  });

  it('gives up after the last backoff step, audits it, and moves on to the next message', async () => {
    const r = await createRequest(store, allowedRequest());
    deliverer.script.push(
      ...Array.from({ length: 3 }, () => ({ ok: false as const, retryable: true, error: 'internal_error' })),
    );
    await send(r.id, [{ kind: 'root.post' }, { kind: 'root.update' }]);
    now += MINUTE;
    await outbox.drain();
    now += MINUTE;
    await outbox.drain();
    expect(deliverer.delivered).toEqual([`${r.id}:root.update`]);
    const audit = await store.audit.list(r.id);
    expect(audit.find((e) => e.kind === 'message_failed')?.detail).toMatchObject({
      kind: 'root.post',
      attempts: 3,
      error: 'internal_error',
    });
  });

  it('closes the edits of the root message owed behind a root post it rendered from the request as it is now', async () => {
    const r = await createRequest(store, allowedRequest());
    deliverer.renders = true;
    // Slack is down when the request is recorded; the request finishes before it is back.
    deliverer.script.push({ ok: false, retryable: true, error: 'ratelimited' });
    await send(r.id, [{ kind: 'root.post' }]);
    await send(r.id, [{ kind: 'thread.summary' }, { kind: 'root.update' }]);
    expect(deliverer.delivered).toEqual([]);
    now += 1000;
    await outbox.drain();
    expect(deliverer.delivered).toEqual([`${r.id}:root.post`, `${r.id}:thread.summary`]);
    expect(await store.outbox.listOpen(r.id)).toEqual([]);
    const posted = (await store.audit.list(r.id)).filter((e) => e.kind === 'message_posted').map((e) => e.detail);
    expect(posted).toEqual([{ kind: 'root.post', coveredEdits: 1 }, { kind: 'thread.summary' }]);
  });

  it('closes a later owed edit when an earlier one renders the root message', async () => {
    const r = await createRequest(store, allowedRequest());
    deliverer.renders = true;
    await send(r.id, [{ kind: 'root.post' }]);
    deliverer.script.push({ ok: false, retryable: true, error: 'ratelimited' });
    await send(r.id, [{ kind: 'root.update' }]);
    await send(r.id, [{ kind: 'root.update' }]);
    now += 1000;
    await outbox.flushRequest(r.id);
    expect(deliverer.delivered).toEqual([`${r.id}:root.post`, `${r.id}:root.update`]);
    expect(await store.outbox.listOpen(r.id)).toEqual([]);
  });

  it('covers edits by the rules with a message its predecessor’s completion claimed', async () => {
    const r = await createRequest(store, allowedRequest());
    deliverer.renders = true;
    await send(r.id, [{ kind: 'root.post' }]);
    // The summary's completion claims the first edit and lists the second behind it: the first,
    // rendered from the request read after that list, covers the second.
    await send(r.id, [{ kind: 'thread.summary' }, { kind: 'root.update' }, { kind: 'root.update' }]);
    expect(deliverer.delivered).toEqual([`${r.id}:root.post`, `${r.id}:thread.summary`, `${r.id}:root.update`]);
    expect(await store.outbox.listOpen(r.id)).toEqual([]);

    // An edit owed after that list was read, before the request is read for the render, is sent.
    const read = store.requests.get.bind(store.requests);
    let reads = 0;
    jest.spyOn(store.requests, 'get').mockImplementation(async (id) => {
      reads += 1;
      if (reads === 2) await store.outbox.enqueue(r.id, [{ kind: 'root.update' }], now);
      return read(id);
    });
    await send(r.id, [{ kind: 'thread.note', note: 'waiting' }, { kind: 'root.update' }]);
    expect(deliverer.delivered.slice(3)).toEqual([`${r.id}:thread.note`, `${r.id}:root.update`, `${r.id}:root.update`]);
    expect(await store.outbox.listOpen(r.id)).toEqual([]);
  });

  it('still sends an edit owed while the root message was being rendered', async () => {
    const r = await createRequest(store, allowedRequest());
    deliverer.renders = true;
    deliverer.during = async (message) => {
      deliverer.during = undefined;
      if (message.intent.kind === 'root.post') await store.outbox.enqueue(r.id, [{ kind: 'root.update' }], now);
    };
    await send(r.id, [{ kind: 'root.post' }]);
    expect(deliverer.delivered).toEqual([`${r.id}:root.post`, `${r.id}:root.update`]);
  });

  it.each([
    ['in a flush', false],
    ['in the retry pass', true],
  ])(
    'sends an edit owed after the request was read for the render (%s): only edits owed before that read are covered',
    async (_how, retried) => {
      const r = await createRequest(store, allowedRequest());
      deliverer.renders = true;
      if (retried) {
        deliverer.script.push({ ok: false, retryable: true, error: 'ratelimited' });
        await send(r.id, [{ kind: 'root.post' }]);
        now += 1000;
      } else await store.outbox.enqueue(r.id, [{ kind: 'root.post' }], now);
      // A state change lands just after the outbox read the request it renders the root post from.
      const read = store.requests.get.bind(store.requests);
      let changed = false;
      jest.spyOn(store.requests, 'get').mockImplementation(async (id) => {
        const request = await read(id);
        if (!changed) {
          changed = true;
          await store.outbox.enqueue(r.id, [{ kind: 'root.update' }], now);
        }
        return request;
      });
      if (retried) await outbox.drain();
      else await outbox.flushRequest(r.id);
      expect(deliverer.delivered).toEqual([`${r.id}:root.post`, `${r.id}:root.update`]);
    },
  );

  it('does not cover edits after a takeover: the holder whose claim ran out may still send an older rendering', async () => {
    const r = await createRequest(store, allowedRequest());
    deliverer.renders = true;
    const [post] = await store.outbox.enqueue(r.id, [{ kind: 'root.post' }, { kind: 'root.update' }], now);
    await store.outbox.claim(post!.id, 'a-stalled-holder', now, 1000);
    now += 1000;
    await outbox.drain();
    expect(deliverer.delivered).toEqual([`${r.id}:root.post`, `${r.id}:root.update`]);
  });

  it('still sends the edits when the root message was not rendered now (found from an earlier claim)', async () => {
    const r = await createRequest(store, allowedRequest());
    deliverer.script.push({ ok: false, retryable: true, error: 'ratelimited' });
    await send(r.id, [{ kind: 'root.post' }]);
    await send(r.id, [{ kind: 'thread.summary' }, { kind: 'root.update' }]);
    now += 1000;
    await outbox.drain();
    expect(deliverer.delivered).toEqual([`${r.id}:root.post`, `${r.id}:thread.summary`, `${r.id}:root.update`]);
  });

  describe('handing over at a stop', () => {
    /** Another replica's outbox, delivering what this one gave back. */
    const another = () => {
      const theirs = new ScriptedDeliverer();
      const claims: number[] = [];
      theirs.during = (message) => {
        claims.push(message.claims);
        return Promise.resolve();
      };
      return { theirs, claims, outbox: new Outbox(store, theirs, clock, logger, { owner: 'other', leaseMs: MINUTE }) };
    };

    /** The stop comes while a message's completion (which claims the next one) is being written. */
    const stopWhileCompleting = () => {
      const complete = store.outbox.complete.bind(store.outbox);
      jest.spyOn(store.outbox, 'complete').mockImplementation(async (...args) => {
        const after = await complete(...args);
        outbox.handOver();
        return after;
      });
    };

    it('finishes the message being sent and claims none after it', async () => {
      const r = await createRequest(store, allowedRequest());
      deliverer.during = (message) => {
        if (message.intent.kind === 'root.post') outbox.handOver();
        return Promise.resolve();
      };
      const release = jest.spyOn(store.outbox, 'releaseClaim');
      await send(r.id, [{ kind: 'root.post' }, { kind: 'thread.summary' }]);
      expect(deliverer.delivered).toEqual([`${r.id}:root.post`]);
      expect(await store.outbox.listOpen(r.id)).toMatchObject([{ intent: { kind: 'thread.summary' }, claims: 0 }]);
      // The completion claimed nothing to give back.
      expect(release).not.toHaveBeenCalled();
      // Unclaimed: another replica sends it at once, without looking for an earlier post.
      const other = another();
      expect(await other.outbox.drain()).toBe(1);
      expect(other.theirs.delivered).toEqual([`${r.id}:thread.summary`]);
      expect(other.claims).toEqual([1]);
    });

    it('gives back a message claimed just before the stop, unsent', async () => {
      const r = await createRequest(store, allowedRequest());
      stopWhileCompleting();
      const before = logger.lines.length;
      await send(r.id, [{ kind: 'root.post' }, { kind: 'thread.summary' }, { kind: 'root.update' }]);
      expect(deliverer.delivered).toEqual([`${r.id}:root.post`]);
      expect(await store.outbox.listOpen(r.id)).toMatchObject([
        { intent: { kind: 'thread.summary' }, claims: 0 },
        { intent: { kind: 'root.update' }, claims: 0 },
      ]);
      const other = another();
      await other.outbox.drain();
      expect(other.theirs.delivered).toEqual([`${r.id}:thread.summary`, `${r.id}:root.update`]);
      expect(other.claims).toEqual([1, 1]);
      expect(logger.lines.slice(before).filter((l) => l.includes('took over'))).toEqual([]);
    });

    it('ends a retry pass after the message being sent, and claims nothing more', async () => {
      const first = await createRequest(store, allowedRequest());
      const second = await createRequest(store, allowedRequest());
      await store.outbox.enqueue(first.id, [{ kind: 'root.post' }], now);
      await store.outbox.enqueue(second.id, [{ kind: 'root.post' }], now);
      deliverer.during = () => {
        outbox.handOver();
        return Promise.resolve();
      };
      expect(await outbox.drain()).toBe(1);
      expect(deliverer.delivered).toHaveLength(1);
      const claim = jest.spyOn(store.outbox, 'claim');
      const claimDue = jest.spyOn(store.outbox, 'claimDue');
      await send(first.id, [{ kind: 'thread.summary' }]);
      expect(await outbox.drain()).toBe(0);
      expect(claim).not.toHaveBeenCalled();
      expect(claimDue).not.toHaveBeenCalled();
      const open = [...(await store.outbox.listOpen(first.id)), ...(await store.outbox.listOpen(second.id))];
      // The second request's post, and the first one's summary queued after the stop.
      expect(open.map((m) => m.claims)).toEqual([0, 0]);
    });

    it('leaves a claim to run out when giving it back fails, and says so', async () => {
      const r = await createRequest(store, allowedRequest());
      stopWhileCompleting();
      jest.spyOn(store.outbox, 'releaseClaim').mockRejectedValue(new Error('database is locked'));
      const before = logger.lines.length;
      await send(r.id, [{ kind: 'root.post' }, { kind: 'thread.summary' }]);
      const warnings = logger.lines
        .slice(before)
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l['level'] === 'warn');
      expect(warnings).toMatchObject([
        {
          msg: expect.stringMatching(/could not give back/),
          requestId: r.id,
          error: { message: 'database is locked' },
        },
      ]);
      // Still held, by the stopped deliverer, until its lease runs out.
      const other = another();
      expect(await other.outbox.drain()).toBe(0);
      now += MINUTE;
      expect(await other.outbox.drain()).toBe(1);
      expect(other.claims).toEqual([2]);
    });
  });

  it('records nothing of a failed attempt whose claim passed to another deliverer meanwhile', async () => {
    const r = await createRequest(store, allowedRequest());
    deliverer.during = async (message) => {
      // This deliverer stalls past its claim; another takes the message over.
      now += MINUTE;
      await store.outbox.claim(message.id, 'another-replica', now, MINUTE);
    };
    deliverer.script.push({ ok: false, retryable: false, error: 'channel_not_found' });
    await send(r.id, [{ kind: 'root.post' }, { kind: 'thread.summary' }]);
    // Still open, the other deliverer's to deliver: not given up, no failure in the trail.
    expect(await store.outbox.listOpen(r.id)).toMatchObject([
      { intent: { kind: 'root.post' }, attempts: 0, claims: 2 },
      { intent: { kind: 'thread.summary' } },
    ]);
    expect((await store.audit.list(r.id)).map((e) => e.kind)).not.toContain('message_failed');
  });

  it.each([
    ['the step, given up while this attempt still holds it', false, 1],
    ['nothing, when the claim passed to another deliverer meanwhile', true, 0],
  ])('closes a workflow step its completion gave up on: %s', async (_what, takenOver, closes) => {
    const r = await createRequest(store, allowedRequest());
    const closeStep = jest.spyOn(store.requests, 'closeStep');
    deliverer.during = async (message) => {
      if (!takenOver) return;
      now += MINUTE;
      await store.outbox.claim(message.id, 'another-replica', now, MINUTE);
    };
    deliverer.script.push({ ok: false, retryable: false, error: 'execution_not_in_running_state' });
    await send(r.id, [{ kind: 'step.complete' }]);
    expect(closeStep).toHaveBeenCalledTimes(closes);
  });

  it('gives up at once on a permanent failure', async () => {
    const r = await createRequest(store, allowedRequest());
    deliverer.script.push({ ok: false, retryable: false, error: 'channel_not_found' });
    await send(r.id, [{ kind: 'root.post' }]);
    expect(await store.outbox.listOpen(r.id)).toEqual([]);
    expect((await store.audit.list(r.id)).map((e) => e.kind)).toContain('message_failed');
  });

  it('gives up on a message whose request cannot be read, and says it gave up (not that it will retry)', async () => {
    const r = await createRequest(store, allowedRequest());
    const requests = new Proxy(store.requests, {
      get: (target, key, receiver): unknown =>
        key === 'get' ? () => Promise.resolve(undefined) : Reflect.get(target, key, receiver),
    });
    const blind = new Proxy(store, {
      get: (target, key, receiver): unknown => (key === 'requests' ? requests : Reflect.get(target, key, receiver)),
    });
    const before = logger.lines.length;
    const lost = new Outbox(blind, deliverer, clock, logger, { owner: 'test', backoffMs: [1000, 5000] });
    await store.outbox.enqueue(r.id, [{ kind: 'root.post' }], now);
    await lost.flushRequest(r.id);
    expect(await store.outbox.listOpen(r.id)).toEqual([]);
    const lines = logger.lines.slice(before).map((l) => JSON.parse(l) as { msg: string; failure?: string });
    expect(lines.filter((l) => l.msg === 'giving up on a Slack message')).toEqual([
      expect.objectContaining({ requestId: r.id, failure: 'request not found' }),
    ]);
    expect(lines.filter((l) => l.msg.includes('will retry'))).toEqual([]);
  });
});

/** Every timer API but setInterval and clearInterval, for a test that fakes only the executor's renewal. */
const REAL_TIMERS = [
  'Date',
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setTimeout',
  'clearTimeout',
] as const;

describe('RequestExecutor', () => {
  let dir: string;
  let store: RequestStore;
  let now: number;
  const clock = { now: () => now };

  function executor(backend: ExecutorDeps['backend'], owner = 'replica-a', leaseMs = MINUTE) {
    const logger = createMemoryLogger('debug');
    const deliverer = new ScriptedDeliverer();
    const outbox = new Outbox(store, deliverer, clock, logger, { owner });
    return new RequestExecutor({
      store,
      backend,
      outbox,
      deliverer,
      clock,
      logger,
      owner,
      associate: { chunkSize: 20, concurrency: 2 },
      leaseMs,
    });
  }

  const ok: AssociationResult = { added: [], failed: [], chunks: [] };
  function backend(result: () => Promise<AssociationResult>): ExecutorDeps['backend'] & { calls: number } {
    const b = {
      calls: 0,
      listTargets: () => Promise.resolve([]),
      disassociate: () => Promise.resolve(ok),
      move: () => Promise.resolve(ok),
      backupNow: () => Promise.resolve({ skipped: [] }),
      associate: () => {
        b.calls += 1;
        return result();
      },
    };
    return b;
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'executor-'));
    store = await openStore({ databaseUrl: `sqlite:${join(dir, 'db.sqlite')}` });
    now = T0;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** An audit entry an earlier run of the request wrote. */
  function earlierEntry(
    r: BackupRequest,
    kind: 'started' | 'cloud_call_sent' | 'backup_started',
    detail: Record<string, unknown>,
    at = T0 + 5,
  ) {
    return store.audit.append({ requestId: r.id, teamId: r.teamId, at, actor: 'bot', kind, detail });
  }

  /** What CBR reports of a volume it finds in place. */
  const inPlace = (volumeId: VolumeId) => ({ volumeId, availabilityZone: undefined, pod: undefined, already: true });

  /**
   * Resumes `r`, whose earlier run added `covered` (a CBR run says before its call what it sends) and
   * started a --now backup for them; the cloud answers `added`. Returns the backups the resumed run started.
   */
  async function resumeAfterABackup(r: BackupRequest, covered: VolumeId[], added: AssociationResult['added']) {
    await earlierEntry(r, 'started', { runner: 'dead-replica' }, T0 + 1);
    if (r.project.service === 'cbr')
      await earlierEntry(r, 'cloud_call_sent', { call: 'associate', chunk: 0, sent: covered, run: 'dead-replica#1' });
    await earlierEntry(r, 'backup_started', { started: true, volumes: covered });
    const b = backend(() => Promise.resolve({ added, failed: [], chunks: [] }));
    // As CBR's backend does, this run names what it sends (not what it finds in place) before its call.
    const answer = b.associate;
    b.associate = async (...args: Parameters<typeof answer>) => {
      const toSend = added.filter((a) => a.already !== true).map((a) => a.volumeId);
      if (toSend.length > 0) await args[3]?.onSending?.({ index: 0, volumeIds: toSend });
      return answer(...args);
    };
    const backups = jest.fn(() => Promise.resolve({ skipped: [] }));
    b.backupNow = backups;
    now = T0 + MINUTE + 1;
    expect(await executor(b).resumeStale()).toBe(1);
    return backups;
  }

  /** A request running on a replica that died: its lease runs out at T0 + MINUTE. */
  async function runningOnADeadReplica(overrides: Parameters<typeof allowedRequest>[0] = {}) {
    const r = await createRequest(store, allowedRequest(overrides));
    await store.requests.transition(
      r.id,
      { from: 'allowed', to: 'running' },
      { runner: { owner: 'dead-replica', leaseUntil: T0 + MINUTE } },
      T0,
    );
    return r;
  }

  it('runs a request once however many times it is started', async () => {
    const r = await createRequest(store, allowedRequest());
    const volumeId = r.volumes[0]!.id;
    const b = backend(() =>
      Promise.resolve({ added: [{ volumeId, availabilityZone: 'eu-de-01', pod: 'pod01' }], failed: [], chunks: [] }),
    );
    const results = await Promise.all([
      executor(b).start(r.id, 'allowed'),
      executor(b, 'replica-b').start(r.id, 'allowed'),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(b.calls).toBe(1);
    expect((await store.requests.get(r.id))!.state).toBe('succeeded');
  });

  it('records every volume as failed, with the cloud error’s code and safe message, when the backend throws one', async () => {
    const r = await createRequest(store, allowedRequest());
    const b = backend(() =>
      Promise.reject(
        new OtcNetworkError({ method: 'POST', path: '/v2/p/backuppolicyresources' }, 'connection refused'),
      ),
    );
    await executor(b).start(r.id, 'allowed');
    const done = (await store.requests.get(r.id))!;
    expect(done.state).toBe('failed');
    expect(done.outcome!.failed).toEqual([
      {
        volumeId: r.volumes[0]!.id,
        code: 'OTC_NETWORK',
        message: 'POST /v2/p/backuppolicyresources failed: connection refused',
      },
    ]);
  });

  it('keeps what the calls before a throwing one settled: only the volumes not settled fail', async () => {
    const [direct, moved] = [
      asVolumeId('0f187b65-8d0e-4fc0-9096-3b55d330531e'),
      asVolumeId('ed53b291-0b6a-4d23-861a-474ac0e64334'),
    ];
    const base = allowedRequest();
    const request = allowedRequest({
      volumes: [base.volumes[0]!, { ...base.volumes[0]!, id: moved, name: 'db-data-2' }],
      moves: [{ volumeId: moved, vault: { id: asPolicyId('2c1f8a2e-3b4d-4c5e-8f9a-0b1c2d3e4f50'), name: 'old' } }],
    });
    const r = await createRequest(store, request);
    const b = backend(() =>
      Promise.resolve({
        added: [{ volumeId: direct, availabilityZone: 'eu-de-01', pod: 'pod01' }],
        failed: [],
        chunks: [],
      }),
    );
    b.move = () => Promise.reject(new TypeError('Cannot read properties of undefined'));
    await executor(b).start(r.id, 'allowed');
    const done = (await store.requests.get(r.id))!;
    expect(done.state).toBe('partially_failed');
    expect(done.outcome!.added.map((a) => a.volumeId)).toEqual([direct]);
    expect(done.outcome!.failed).toMatchObject([{ volumeId: moved, code: 'INTERNAL' }]);
  });

  it('does not show the text of an unexpected error (a bug), only a fixed sentence', async () => {
    const r = await createRequest(store, allowedRequest());
    const b = backend(() => Promise.reject(new TypeError('Cannot read properties of undefined (reading secretThing)')));
    await executor(b).start(r.id, 'allowed');
    const [failed] = (await store.requests.get(r.id))!.outcome!.failed;
    expect(failed).toMatchObject({ code: 'INTERNAL' });
    expect(failed!.message).not.toContain('secretThing');
  });

  it('stops sending chunks when another runner took the request over', async () => {
    // The renewal runs on setInterval: faked (alone; the store and waitFor keep real timers), so
    // the test fires it instead of waiting a second for it.
    jest.useFakeTimers({ doNotFake: [...REAL_TIMERS] });
    try {
      const r = await createRequest(store, allowedRequest());
      let calling = false;
      let aborted = false;
      const b = backend(() => Promise.resolve(ok));
      // The call hangs until the executor gives it up (its renewal finds the claim gone).
      b.associate = (_p: unknown, _id: unknown, _v: unknown, options?: { signal?: AbortSignal }) =>
        new Promise<AssociationResult>((resolve) => {
          calling = true;
          options?.signal?.addEventListener('abort', () => {
            aborted = true;
            resolve(ok);
          });
        });
      const running = executor(b, 'replica-a', 3000).start(r.id, 'allowed');
      await waitFor('the associate call', () => (calling ? true : undefined));
      expect((await store.requests.get(r.id))?.state).toBe('running');
      expect(jest.getTimerCount()).toBe(1);
      now += 3001;
      expect(await store.requests.claimStaleRun(r.id, 'replica-b', now + 3000, now)).toBe('taken_over');
      expect(aborted).toBe(false);
      // A runner renews well within its lease: one lease of timer time holds at least one renewal.
      await jest.advanceTimersByTimeAsync(3000);
      await running;
      expect(aborted).toBe(true);
      // The runner that lost the claim records no outcome (its unsent volumes are not failures):
      // the request is still running, for replica-b to finish.
      const after = await store.requests.get(r.id);
      expect(after).toMatchObject({ state: 'running', outcome: undefined });
      expect(await store.outbox.listOpen(r.id)).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });

  describe('handing over at a stop', () => {
    /**
     * An associate that hangs until its signal fires, then says its volumes were not sent (as
     * runChunked does), or until `answer` adds them.
     */
    function hangingBackend(r: BackupRequest) {
      const b = Object.assign(
        backend(() => Promise.resolve(ok)),
        { calling: false, aborted: false, answer: (): void => undefined },
      );
      b.associate = (_p: unknown, _id: unknown, _v: unknown, options?: { signal?: AbortSignal }) =>
        new Promise<AssociationResult>((resolve) => {
          b.calling = true;
          const added = r.volumes.map((v) => ({ volumeId: v.id, availabilityZone: 'eu-de-01', pod: 'pod01' }));
          b.answer = () => resolve({ added, failed: [], chunks: [] });
          options?.signal?.addEventListener('abort', () => {
            b.aborted = true;
            const failed = r.volumes.map((v) => ({ volumeId: v.id, code: 'OTC_ABORTED', message: NOT_SENT_MESSAGE }));
            resolve({ added: [], failed, chunks: [] });
          });
        });
      return b;
    }

    /** A run on replica-a whose associate call is under way (and hangs). */
    async function callingOnReplicaA() {
      const r = await createRequest(store, allowedRequest());
      const b = hangingBackend(r);
      const stopping = executor(b, 'replica-a');
      const running = stopping.start(r.id, 'allowed');
      await waitFor('the associate call', () => (b.calling ? true : undefined));
      return { r, b, stopping, running };
    }

    it('gives a run under way back: it sends no more calls, records nothing, and is resumed elsewhere at once', async () => {
      const { r, b, stopping, running } = await callingOnReplicaA();
      stopping.handOver();
      expect(await running).toBe(true);
      expect(b.aborted).toBe(true);
      // The volumes it did not send are not failures: nothing is recorded, nothing is posted.
      expect(await store.requests.get(r.id)).toMatchObject({ state: 'running', outcome: undefined });
      expect(await store.outbox.listOpen(r.id)).toEqual([]);
      // The stopping replica starts nothing more.
      const next = await createRequest(store, allowedRequest());
      expect(await stopping.start(next.id, 'allowed')).toBe(false);
      expect((await store.requests.get(next.id))?.state).toBe('allowed');
      // Another replica resumes it at once: the clock has not moved, replica-a's lease would still hold.
      const volumeId = r.volumes[0]!.id;
      const added = { added: [{ volumeId, availabilityZone: 'eu-de-01', pod: 'pod01' }], failed: [], chunks: [] };
      expect(
        await executor(
          backend(() => Promise.resolve(added)),
          'replica-b',
        ).resumeStale(),
      ).toBe(1);
      expect((await store.requests.get(r.id))?.state).toBe('succeeded');
    });

    it('leaves a run it cannot give back to be resumed when its lease runs out, recording nothing', async () => {
      const { r, b, stopping, running } = await callingOnReplicaA();
      jest.spyOn(store.requests, 'releaseRun').mockRejectedValueOnce(new Error('database is locked'));
      stopping.handOver();
      await running;
      expect(b.aborted).toBe(true);
      expect(await store.requests.get(r.id)).toMatchObject({ state: 'running', outcome: undefined });
      expect(await store.queries.listStaleRunning(now, 10)).toEqual([]);
      now += MINUTE + 1;
      expect((await store.queries.listStaleRunning(now, 10)).map((s) => s.id)).toEqual([r.id]);
    });

    it('gives back at once a run whose start the hand-over overtook, before any call', async () => {
      const r = await createRequest(store, allowedRequest());
      const b = hangingBackend(r);
      const stopping = executor(b, 'replica-a');
      const transition = store.requests.transition.bind(store.requests);
      jest.spyOn(store.requests, 'transition').mockImplementationOnce(async (...args) => {
        const running = await transition(...args);
        stopping.handOver();
        return running;
      });
      expect(await stopping.start(r.id, 'allowed')).toBe(true);
      expect(b.calling).toBe(false);
      expect(await store.requests.get(r.id)).toMatchObject({ state: 'running' });
      expect((await store.queries.listStaleRunning(now, 10)).map((s) => s.id)).toEqual([r.id]);
    });

    it('lets a run whose volume calls are done record its outcome', async () => {
      const r = await createRequest(store, allowedRequest({ backupNow: true }));
      const b = hangingBackend(r);
      let backingUp: () => void = () => undefined;
      b.backupNow = () => new Promise((resolve) => (backingUp = () => resolve({ skipped: [] })));
      const stopping = executor(b, 'replica-a');
      const running = stopping.start(r.id, 'allowed');
      await waitFor('the associate call', () => (b.calling ? true : undefined));
      b.answer();
      // The hand-over comes while --now starts the backup: the volumes are in, the run finishes.
      await new Promise((resolve) => setImmediate(resolve));
      stopping.handOver();
      backingUp();
      await running;
      expect(await store.requests.get(r.id)).toMatchObject({
        state: 'succeeded',
        outcome: { backupNow: { started: true } },
      });
    });
  });

  it('does not resume a run of its own that is still under way, however stale its lease looks', async () => {
    const r = await createRequest(store, allowedRequest());
    let answer: () => void = () => undefined;
    const b = backend(() => new Promise<AssociationResult>((resolve) => (answer = () => resolve(ok))));
    const runner = executor(b, 'replica-a');
    const running = runner.start(r.id, 'allowed');
    await waitFor('the associate call', () => (b.calls === 1 ? true : undefined));
    // Its renewals did not land (the database was away) and the lease ran out.
    now += MINUTE + 1;
    expect(await runner.resumeStale()).toBe(0);
    expect(b.calls).toBe(1);
    answer();
    await running;
    expect((await store.requests.get(r.id))?.state).not.toBe('running');
  });

  it('takes over no work of others once stopping, and still runs what it is given', async () => {
    const stale = await runningOnADeadReplica();
    const interrupted = await createRequest(store, allowedRequest());
    const given = await createRequest(store, allowedRequest());
    now = T0 + 2 * MINUTE;
    const b = backend(() => Promise.resolve(ok));
    const stopping = executor(b);
    stopping.stopTakingOver();
    expect(await stopping.resumeStale()).toBe(0);
    expect(await stopping.startInterrupted(MINUTE)).toBe(0);
    expect(b.calls).toBe(0);
    expect((await store.requests.get(stale.id))?.state).toBe('running');
    expect((await store.requests.get(interrupted.id))?.state).toBe('allowed');
    // A request its own flow decided on is still run (the person was told it would be).
    expect(await stopping.start(given.id, 'allowed')).toBe(true);
    expect(b.calls).toBe(1);
  });

  it("counts, when resuming, the volumes an earlier run settled as this request's work, not as there already", async () => {
    const [mine, fresh, before, moved] = makeVolumeIds(4) as [VolumeId, VolumeId, VolumeId, VolumeId];
    const vault = asPolicyId('2c1f8a2e-3b4d-4c5e-8f9a-0b1c2d3e4f50');
    const base = allowedRequest();
    const volume = (id: VolumeId) => ({ ...base.volumes[0]!, id });
    // The first run sent `mine` and moved `moved`, audited each call, then its replica died.
    const r = await runningOnADeadReplica({
      volumes: [mine, fresh, before, moved].map(volume),
      moves: [{ volumeId: moved, vault: { id: vault, name: 'old' } }],
    });
    const call = (sent: VolumeId[]) => ({ call: 'associate', chunk: 0, sent });
    await earlierEntry(r, 'cloud_call_sent', call([mine]));
    await earlierEntry(r, 'cloud_call_sent', call([moved]));
    // CBR reads the vault first: what is in it is reported there already, and not sent.
    const sentNow = (id: VolumeId) => ({ volumeId: id, availabilityZone: undefined, pod: undefined });
    const b = backend(() =>
      Promise.resolve({ added: [inPlace(mine), sentNow(fresh), inPlace(before)], failed: [], chunks: [] }),
    );
    b.move = () => Promise.resolve({ added: [inPlace(moved)], failed: [], chunks: [] });
    now = T0 + MINUTE + 1;
    expect(await executor(b).resumeStale()).toBe(1);
    expect((await store.requests.get(r.id))!.outcome!.added).toEqual([
      sentNow(mine),
      sentNow(fresh),
      inPlace(before),
      { ...sentNow(moved), movedFrom: vault },
    ]);
  });

  it.each([
    // CBR finds the volume in place: the earlier run sent it before its backup.
    ['cbr', true],
    // VBS reports it added again; its policy's backup covered all of the policy's volumes.
    ['vbs', false],
  ] as const)(
    'does not start a second backup when resuming a run whose earlier run started one (%s, --now)',
    async (service, foundInPlace) => {
      const base = allowedRequest();
      const r = await runningOnADeadReplica({ backupNow: true, project: { ...base.project, service } });
      const volumeId = r.volumes[0]!.id;
      const answer = foundInPlace ? inPlace(volumeId) : { ...inPlace(volumeId), already: undefined };
      const backups = await resumeAfterABackup(r, [volumeId], [answer]);
      expect(backups).not.toHaveBeenCalled();
      const done = (await store.requests.get(r.id))!;
      expect(done.outcome).toMatchObject({ added: [{ volumeId }], backupNow: { started: true, at: T0 + 5 } });
      // The first backup is looked for from the start of the run that started that backup.
      expect(done.watch?.since).toBe(T0 + 1);
    },
  );

  it("counts as an earlier run's work what a stalled runner sent while this one was calling", async () => {
    const base = allowedRequest();
    const r = await runningOnADeadReplica({ project: { ...base.project, service: 'cbr' } });
    const volumeId = r.volumes[0]!.id;
    const b = backend(() => Promise.resolve(ok));
    b.associate = async () => {
      // The stalled runner's late call, named in the trail just before this run's call found it done.
      await earlierEntry(
        r,
        'cloud_call_sent',
        { call: 'associate', chunk: 0, sent: [volumeId], run: 'stalled#1' },
        T0 + 9,
      );
      return { added: [inPlace(volumeId)], failed: [], chunks: [] };
    };
    now = T0 + MINUTE + 1;
    expect(await executor(b).resumeStale()).toBe(1);
    expect((await store.requests.get(r.id))!.outcome?.added).toEqual([
      { volumeId, availabilityZone: undefined, pod: undefined },
    ]);
  });

  it('starts a new backup when resuming a run that adds a volume the earlier one had not sent (CBR, --now)', async () => {
    const [sentBefore, addedNow] = makeVolumeIds(2) as [VolumeId, VolumeId];
    const base = allowedRequest();
    const r = await runningOnADeadReplica({
      backupNow: true,
      project: { ...base.project, service: 'cbr' },
      volumes: [sentBefore, addedNow].map((id) => ({ ...base.volumes[0]!, id })),
    });
    const backups = await resumeAfterABackup(
      r,
      [sentBefore],
      [inPlace(sentBefore), { ...inPlace(addedNow), already: undefined }],
    );
    expect(backups).toHaveBeenCalledTimes(1);
    expect((await store.requests.get(r.id))!.outcome?.backupNow).toEqual({ started: true, at: T0 + MINUTE + 1 });
  });

  it("keeps an earlier run's work as this request's when a call of the resumed run throws", async () => {
    const [sentBefore, moved] = makeVolumeIds(2) as [VolumeId, VolumeId];
    const base = allowedRequest();
    const r = await runningOnADeadReplica({
      volumes: [sentBefore, moved].map((id) => ({ ...base.volumes[0]!, id })),
      moves: [{ volumeId: moved, vault: { id: asPolicyId('2c1f8a2e-3b4d-4c5e-8f9a-0b1c2d3e4f50'), name: 'old' } }],
    });
    await earlierEntry(r, 'cloud_call_sent', { call: 'associate', chunk: 0, sent: [sentBefore] });
    const b = backend(() =>
      Promise.resolve({
        added: [{ volumeId: sentBefore, availabilityZone: undefined, pod: undefined, already: true }],
        failed: [],
        chunks: [],
      }),
    );
    b.move = () => Promise.reject(new TypeError('Cannot read properties of undefined'));
    now = T0 + MINUTE + 1;
    expect(await executor(b).resumeStale()).toBe(1);
    const outcome = (await store.requests.get(r.id))!.outcome!;
    expect(outcome.added).toEqual([{ volumeId: sentBefore, availabilityZone: undefined, pod: undefined }]);
    expect(outcome.failed).toMatchObject([{ volumeId: moved, code: 'INTERNAL' }]);
  });

  it('gives back a stale run it took over while the stop handed over, before any call', async () => {
    const r = await runningOnADeadReplica();
    const b = backend(() => Promise.resolve(ok));
    const stopping = executor(b);
    const claim = store.requests.claimStaleRun.bind(store.requests);
    jest.spyOn(store.requests, 'claimStaleRun').mockImplementationOnce(async (...args) => {
      const claimed = await claim(...args);
      stopping.handOver();
      return claimed;
    });
    now = T0 + MINUTE + 1;
    await stopping.resumeStale();
    expect(b.calls).toBe(0);
    expect((await store.queries.listStaleRunning(now, 10)).map((s) => s.id)).toEqual([r.id]);
  });

  it('resumes a running request only after its runner stopped renewing the claim', async () => {
    const r = await runningOnADeadReplica();
    const b = backend(() => Promise.resolve(ok));
    expect(await executor(b).resumeStale()).toBe(0);
    now = T0 + MINUTE + 1;
    expect(await executor(b).resumeStale()).toBe(1);
    expect(b.calls).toBe(1);
    expect((await store.audit.list(r.id)).map((e) => e.kind)).toContain('resumed');
  });

  it('starts an allowed request whose start was interrupted, after a grace period', async () => {
    const r = await createRequest(store, allowedRequest());
    const b = backend(() => Promise.resolve(ok));
    expect(await executor(b).startInterrupted(MINUTE)).toBe(0);
    now = T0 + MINUTE;
    expect(await executor(b).startInterrupted(MINUTE)).toBe(1);
    expect((await store.requests.get(r.id))!.state).not.toBe('allowed');
  });
});

describe('startScheduler', () => {
  it('runs every task, logs a failing one and goes on, and never overlaps a task with itself', async () => {
    const logger = createMemoryLogger('debug');
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const slow = {
      name: 'slow',
      everyMs: 60_000,
      run: () => {
        runs += 1;
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        return new Promise<void>((resolve) => {
          release = () => {
            running -= 1;
            resolve();
          };
        });
      },
    };
    const failing = { name: 'failing', everyMs: 60_000, run: () => Promise.reject(new Error('nope')) };
    const scheduler = startScheduler([slow, failing], logger);
    const first = scheduler.runAll();
    await waitFor('the slow task to start', () => (runs === 1 ? true : undefined));
    const second = scheduler.runAll();
    release();
    await Promise.all([first, second]);
    await scheduler.stop();
    expect(maxRunning).toBe(1);
    expect(runs).toBe(1);
    expect(logger.lines.some((l) => l.includes('background task failing failed') && l.includes('nope'))).toBe(true);
  });

  it('starts no further task of a pass once stopped, and waits for the one under way', async () => {
    const logger = createMemoryLogger('debug');
    const ran: string[] = [];
    let release: () => void = () => undefined;
    const first = {
      name: 'first',
      everyMs: 60_000,
      run: () => {
        ran.push('first');
        return new Promise<void>((resolve) => (release = resolve));
      },
    };
    const second = { name: 'second', everyMs: 60_000, run: () => Promise.resolve(ran.push('second')) };
    const scheduler = startScheduler([first, second], logger);
    const pass = scheduler.runAll();
    await waitFor('the first task', () => (ran.length === 1 ? true : undefined));
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await Promise.all([pass, stopping]);
    expect(ran).toEqual(['first']);
  });
});
