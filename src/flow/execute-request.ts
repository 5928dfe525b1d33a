import type {
  AuditEvent,
  AuditKind,
  BackupNowResult,
  BackupRequest,
  EpochMs,
  ExecutionOutcome,
  VolumeMove,
} from '../domain/backup-request';
import type { PolicyId, RequestId, VolumeId } from '../domain/ids';
import { outcomeState, step } from '../domain/request-state';
import type { Logger } from '../log/logger';
import { withLogFields } from '../log/logger';
import { isOtcError, OtcHttpError } from '../otc/errors';
import type { AssociationResult, BackupBackend, BackupRuns, ChunkReport, SendingChunk } from '../otc/types';
import { undoableVolumes } from '../domain/undo';
import { nextRun } from '../domain/schedule';
import { startWatch } from '../domain/watch';
import type { WatchTimings } from '../domain/watch';
import { withHeartbeat } from './heartbeat';
import { messagesOnFinished } from './notify';
import type { Outbox } from './outbox';
import type { Clock, FlowMetrics, MessageDeliverer, RequestStore } from './ports';
import { NO_METRICS } from './ports';

export interface ExecutorDeps {
  readonly store: Pick<RequestStore, 'requests' | 'queries' | 'audit'>;
  readonly backend: BackupBackend & Pick<BackupRuns, 'backupNow'>;
  readonly outbox: Outbox;
  /** For the one message that cannot wait for the outbox: that an outcome could not be recorded. */
  readonly deliverer: Pick<MessageDeliverer, 'tellNow'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This replica's name: the runner recorded on a running request. */
  readonly owner: string;
  readonly associate: { readonly chunkSize: number; readonly concurrency: number };
  /** How long a running claim holds without renewal (a dead runner's requests are resumed after it). */
  readonly leaseMs?: number;
  /** How the first-backup watch a finished associate starts paces itself. */
  readonly watchTimings?: WatchTimings;
  /** Counts the runs resumed from a runner whose lease ran out. */
  readonly metrics?: Pick<FlowMetrics, 'leaseTakenOver'>;
}

/** Which call an audited chunk belongs to. */
type CloudCallKind = 'associate' | 'disassociate' | 'move';

/** The moved volumes by the other vault, in first-seen order. */
function groupByVault(moves: readonly VolumeMove[]): Map<PolicyId, VolumeId[]> {
  const groups = new Map<PolicyId, VolumeId[]>();
  for (const m of moves) groups.set(m.vault.id, [...(groups.get(m.vault.id) ?? []), m.volumeId]);
  return groups;
}

/** A run under way in this process: its request, what stops its calls, and whether they are still going on. */
interface RunUnderWay {
  readonly id: RequestId;
  /** Resumed from a runner that stopped: some of its volumes may be where an earlier run put them. */
  readonly resumed: boolean;
  /** When its lease was taken, on the injected clock: the heartbeat counts the lease from then. */
  readonly leasedAt: number;
  /** Names this run's entries in the trail, so that reading the trail it can tell them from earlier runs'. */
  readonly token: string;
  readonly calls: AbortController;
  calling: boolean;
}

/** A dead runner's request is resumed this long after its last renewal (the config's default too). */
const DEFAULT_LEASE_MS = 15_000;

/** A cloud error's code and redacted message are safe to show; anything else is a bug, told in a fixed sentence. */
function safeReason(error: unknown): { readonly code: string; readonly message: string } {
  const cloud = isOtcError(error);
  const code = error instanceof OtcHttpError ? (error.otcCode ?? error.code) : cloud ? error.code : 'INTERNAL';
  const message = cloud
    ? error.message
    : 'the bot failed while calling the cloud; its administrators have the details in the log';
  return { code, message };
}

/** What earlier runs of a request did (see RequestExecutor.earlierRuns). */
interface EarlierRuns {
  /** The volumes their CBR calls went out for. */
  readonly sent: ReadonlySet<string>;
  /** The last `--now` backup one of them started, the volumes it was started for, and when its run began. */
  readonly backup:
    { readonly result: BackupNowResult; readonly covers: ReadonlySet<string>; readonly runFrom: EpochMs } | undefined;
}

const NO_EARLIER_RUNS: EarlierRuns = { sent: new Set(), backup: undefined };

/** What the calls came to, and from when the first-backup watch counts backups. */
interface CloudOutcome {
  readonly outcome: ExecutionOutcome;
  readonly backupsFrom: EpochMs;
}

/**
 * A run resumed after a crash finds in place (CBR: `already`) the volumes an earlier run of the
 * request sent before it stopped (CBR sends only volumes not in place): those are this request's
 * work, reported as changed (a move with the vault it came from), so the summary, Undo, `--now`
 * and the first-backup watch count them.
 */
function ownEarlierWork(
  result: AssociationResult,
  earlier: ReadonlySet<string>,
  movedFrom: PolicyId | undefined,
): AssociationResult {
  if (earlier.size === 0) return result;
  const added = result.added.map((a) =>
    a.already === true && earlier.has(a.volumeId)
      ? { volumeId: a.volumeId, availabilityZone: a.availabilityZone, pod: a.pod, ...(movedFrom && { movedFrom }) }
      : a,
  );
  return { ...result, added };
}

/**
 * The outcome when a cloud call threw: what the calls before it settled stands (a volume they added
 * was added), and every volume they did not settle failed, with the safe reason.
 */
function failedOutcome(
  request: BackupRequest,
  settled: readonly AssociationResult[],
  error: unknown,
  startedAt: number,
  finishedAt: number,
): ExecutionOutcome {
  const { code, message } = safeReason(error);
  const added = settled.flatMap((r) => r.added);
  const failed = settled.flatMap((r) => r.failed);
  const done = new Set([...added, ...failed].map((v) => v.volumeId));
  const unsettled = request.volumes.filter((v) => !done.has(v.id)).map((v) => ({ volumeId: v.id, code, message }));
  return { added, failed: [...failed, ...unsettled], startedAt, finishedAt };
}

/**
 * Runs an allowed or approved request exactly once: only the caller that wins the compare-and-set
 * into `running` calls the cloud. Re-running after a crash is safe because associating a volume
 * with the policy it is already in changes nothing.
 */
export class RequestExecutor {
  private readonly leaseMs: number;
  /** Set by handOver(): no run starts any more. */
  private handingOver = false;
  /** Cleared by stopTakingOver(): no stale run is resumed, no interrupted start is started. */
  private takingOver = true;
  private readonly underWay = new Set<RunUnderWay>();
  private runSeq = 0;

  constructor(private readonly deps: ExecutorDeps) {
    this.leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  }

  /**
   * For a stop, once it has waited for the runs under way: no run starts any more, and each one
   * still making its volume calls stops them, records nothing and is given back (releaseRun), so
   * that the next start or another replica resumes it at once (associating again changes nothing).
   * A run whose volume calls are done records its outcome.
   */
  handOver(): void {
    this.handingOver = true;
    this.takingOver = false;
    for (const run of this.underWay) if (run.calling) run.calls.abort();
  }

  /** A run that records nothing here given back, so that it is resumed at once, not after its lease. */
  private async giveBack(id: RequestId): Promise<void> {
    const { store, owner, logger } = this.deps;
    try {
      if (await store.requests.releaseRun(id, owner))
        logger.info('handed over a run: the next start or another replica resumes it', { requestId: id });
    } catch (e) {
      logger.warn('could not hand over a run; it is resumed when its lease runs out', { requestId: id, error: e });
    }
  }

  /**
   * For a stop, from its start: the runs under way go on, but no work of others is taken over (a
   * stale run, an interrupted start): the replicas that stay, or the next start, take it.
   */
  stopTakingOver(): void {
    this.takingOver = false;
  }

  /** Starts a request in `allowed` or `approved`. Returns false when someone else already did, or when stopping. */
  async start(id: RequestId, from: 'allowed' | 'approved'): Promise<boolean> {
    if (this.handingOver) return false;
    const { store, clock, owner } = this.deps;
    const before = await store.requests.get(id);
    if (before === undefined || before.state !== from) return false;
    const now = clock.now();
    const request = await store.requests.transition(
      id,
      step(from, 'running'),
      { runner: { owner, leaseUntil: now + this.leaseMs } },
      now,
      {
        audit: [
          { requestId: id, teamId: before.teamId, at: now, actor: 'bot', kind: 'started', detail: { runner: owner } },
        ],
      },
    );
    if (request === undefined) return false;
    await this.run(request, false, now);
    return true;
  }

  /**
   * Starts requests whose start was interrupted: allowed or approved, untouched for `graceMs`
   * (the process stopped between the decision and the run). The compare-and-set keeps it once.
   */
  async startInterrupted(graceMs = this.leaseMs, limit = 20): Promise<number> {
    let started = 0;
    for (const request of await this.deps.store.queries.listStartable(this.deps.clock.now() - graceMs, limit)) {
      if (!this.takingOver) break;
      if (request.state !== 'allowed' && request.state !== 'approved') continue;
      this.deps.logger.info('starting a request whose start was interrupted', {
        requestId: request.id,
        state: request.state,
      });
      if (await this.start(request.id, request.state)) started += 1;
    }
    return started;
  }

  /** Finishes requests whose runner died (its claim expired): called at start and by the scheduler. */
  async resumeStale(limit = 20): Promise<number> {
    const { store, clock, owner } = this.deps;
    let resumed = 0;
    for (const request of await store.queries.listStaleRunning(clock.now(), limit)) {
      if (!this.takingOver) break;
      // Under way here (its renewals failed for a while): it goes on, and renews again once it can.
      // Resumed here as well, it would make its calls twice, and both runs would hold it.
      if ([...this.underWay].some((run) => run.id === request.id)) continue;
      const now = clock.now();
      const claimed = await store.requests.claimStaleRun(request.id, owner, now + this.leaseMs, now);
      if (claimed === undefined) continue;
      await store.audit.append({
        requestId: request.id,
        teamId: request.teamId,
        at: now,
        actor: 'bot',
        kind: 'resumed',
        detail: { runner: owner, ...(claimed === 'handed_over' && { handedOver: true }) },
      });
      // A run handed over by a stopping replica (a deploy) is no takeover: nobody died.
      if (claimed === 'handed_over')
        this.deps.logger.info('resuming a request a stopping replica handed over', { requestId: request.id });
      else {
        this.deps.logger.info('resuming a request whose runner stopped', { requestId: request.id });
        (this.deps.metrics ?? NO_METRICS).leaseTakenOver('run');
      }
      await this.run(request, true, now);
      resumed += 1;
    }
    return resumed;
  }

  /**
   * Runs a request this replica holds. `leasedAt`: when the lease was taken (the start, or the
   * takeover), on the injected clock. Every line logged while it runs, here and in the layers below
   * (cloud, Slack, store), names the request.
   */
  private async run(request: BackupRequest, resumed: boolean, leasedAt: number): Promise<void> {
    // The stop's hand-over came while it was being started or taken over: nothing was called yet.
    if (this.handingOver) {
      await this.giveBack(request.id);
      return;
    }
    this.runSeq += 1;
    const token = `${this.deps.owner}#${this.runSeq}`;
    const run: RunUnderWay = { id: request.id, resumed, leasedAt, token, calls: new AbortController(), calling: true };
    this.underWay.add(run);
    try {
      await withLogFields({ requestId: request.id }, () => this.runNamed(request, run));
    } finally {
      this.underWay.delete(run);
    }
  }

  private async runNamed(request: BackupRequest, run: RunUnderWay): Promise<void> {
    const { store, clock, outbox, owner } = this.deps;
    const logger = this.deps.logger.with({ requestId: request.id });
    const startedAt = clock.now();
    // While the calls run, the claim is renewed; if another replica took it over (this one was
    // thought dead), or this one handed it over, the chunks not yet sent are not sent from here.
    let called: CloudOutcome;
    try {
      called = await withHeartbeat(
        {
          leaseMs: this.leaseMs,
          now: () => clock.now(),
          heldSince: run.leasedAt,
          renew: () => store.requests.renewRun(request.id, owner, clock.now() + this.leaseMs),
          onLost: () => run.calls.abort(),
          logger,
          what: `request ${request.id}`,
        },
        () => this.callCloud(request, run, startedAt),
      );
    } finally {
      run.calling = false;
    }
    const { outcome, backupsFrom } = called;
    if (run.calls.signal.aborted) {
      // Handed over at a stop, or its lease lost (taken over, or not renewed for a whole lease): the
      // runner that resumes it records the outcome. The volumes not sent from here are not failures.
      logger.info('the run was given up here; the runner that resumes it records the outcome');
      // Resumable at once (a renewal that landed late may have kept the lease alive). Only this
      // runner's own: after a takeover it changes nothing.
      await this.giveBack(request.id);
      return;
    }
    const final = outcomeState(outcome.added.length, outcome.failed.length);
    const now = clock.now();
    const watch =
      request.action === 'associate'
        ? startWatch(
            undoableVolumes(request, outcome),
            now,
            {
              backupNow: outcome.backupNow?.started === true,
              nextRun: request.target.schedule && nextRun(request.target.schedule, now),
              // From this run's start, or from the start of the earlier run whose backup it reused.
              since: backupsFrom,
            },
            this.deps.watchTimings,
          )
        : undefined;
    let done: BackupRequest | undefined;
    try {
      done = await store.requests.transition(
        request.id,
        step('running', final),
        { outcome, heldBy: owner, ...(watch && { watch }) },
        now,
        {
          audit: [
            {
              requestId: request.id,
              teamId: request.teamId,
              at: now,
              actor: 'bot',
              kind: 'finished',
              detail: { state: final, added: outcome.added.length, failed: outcome.failed.length },
            },
          ],
          messages: messagesOnFinished(
            request.approval !== undefined,
            { endsStep: request.workflowStep !== undefined },
            outcome.added.length + outcome.failed.length,
          ),
        },
      );
    } catch (e) {
      // The cloud may have changed and the record could not say so: tell the thread the truth
      // (directly, as the outbox is the store). The request stays `running`; once its lease runs
      // out, a runner resumes it (associating again changes nothing) and posts the summary.
      logger.error('could not record the outcome of a cloud call', { error: e });
      await this.deps.deliverer
        .tellNow(request, 'outcome_not_recorded')
        .catch((notice: unknown) => logger.warn('could not tell the thread either', { error: notice }));
      throw e;
    }
    if (done === undefined) {
      // Finished, or taken over by another runner after the calls here were made (this one stalled
      // past its lease): that one records the outcome.
      logger.warn('request no longer held here when it finished; its outcome here is not recorded');
      return;
    }
    logger.info('request finished', {
      state: final,
      added: outcome.added.length,
      failed: outcome.failed.length,
      ms: outcome.finishedAt - outcome.startedAt,
    });
    await outbox.flushRequest(request.id);
  }

  /**
   * The cloud calls, each audited when it returns; never throws for the cloud's failures. Volumes
   * that change vault (CBR) are moved, one call set per other vault; the rest are added or removed.
   */
  private async callCloud(request: BackupRequest, run: RunUnderWay, startedAt: number): Promise<CloudOutcome> {
    const { backend, clock } = this.deps;
    const signal = run.calls.signal;
    const logger = this.deps.logger.with({ requestId: request.id });
    const target = request.target.id;
    const options = (call: CloudCallKind) => ({
      ...this.deps.associate,
      signal,
      onChunk: (chunk: ChunkReport) => this.auditChunk(request, call, chunk),
      // CBR reports a volume it finds in place as there already: which ones this request sent
      // before a crash is kept before each call, for the run that resumes it (earlierRuns).
      ...(request.project.service === 'cbr' && {
        onSending: (chunk: SendingChunk) => this.keepSending(request, run, call, chunk),
      }),
    });
    /** Each call's result, and for a move the vault the volumes came from. */
    const calls: { readonly result: AssociationResult; readonly movedFrom: PolicyId | undefined }[] = [];
    try {
      const moving = new Set(request.moves.map((m) => m.volumeId));
      const direct = request.volumes.filter((v) => !moving.has(v.id)).map((v) => v.id);
      if (direct.length > 0)
        calls.push({
          result:
            request.action === 'associate'
              ? await backend.associate(request.project, target, direct, options('associate'))
              : await backend.disassociate(request.project, target, direct, options('disassociate')),
          movedFrom: undefined,
        });
      for (const [vault, ids] of groupByVault(request.moves)) {
        // An associate moves volumes here from their vault; an undo moves them back there.
        const [from, to] = request.action === 'associate' ? [vault, target] : [target, vault];
        calls.push({ result: await backend.move(request.project, from, to, ids, options('move')), movedFrom: from });
      }
    } catch (e) {
      logger.error('the cloud call threw; recording the volumes not yet settled as failed', { error: e });
      run.calling = false;
      const earlier = run.resumed ? await this.earlierRuns(request, run) : NO_EARLIER_RUNS;
      const settled = calls.map((c) => ownEarlierWork(c.result, earlier.sent, c.movedFrom));
      return { outcome: failedOutcome(request, settled, e, startedAt, clock.now()), backupsFrom: startedAt };
    }
    // The volume calls are done: from here a stop lets the run record its outcome. Read after them,
    // the trail also has what a stalled earlier runner sent late.
    run.calling = false;
    const earlier = run.resumed ? await this.earlierRuns(request, run) : NO_EARLIER_RUNS;
    const results = calls.map((c) => ownEarlierWork(c.result, earlier.sent, c.movedFrom));
    const added = results.flatMap((r) => r.added);
    const failed = results.flatMap((r) => r.failed);
    const plain = { outcome: { added, failed, startedAt, finishedAt: clock.now() }, backupsFrom: startedAt };
    const changed = added.filter((a) => a.already !== true);
    if (signal.aborted || !request.backupNow || changed.length === 0) return plain;
    // An earlier run's backup serves when it was started for every volume this run counts as added.
    const backup = earlier.backup;
    if (backup !== undefined && changed.every((a) => backup.covers.has(a.volumeId)))
      return {
        outcome: { ...plain.outcome, backupNow: backup.result },
        backupsFrom: Math.min(startedAt, backup.runFrom),
      };
    const backupNow = await this.backUpNow(
      request,
      changed.map((a) => a.volumeId),
    );
    return { outcome: { ...plain.outcome, backupNow, finishedAt: clock.now() }, backupsFrom: startedAt };
  }

  /**
   * What earlier runs of this request did, from its audit trail: the volumes their calls went out
   * for, and the backup `--now` started, if one did (a resumed run does not start a second).
   */
  private async earlierRuns(request: BackupRequest, run: RunUnderWay): Promise<EarlierRuns> {
    const sent = new Set<string>();
    let runFrom: EpochMs | undefined;
    let backup: EarlierRuns['backup'];
    const strings = (value: unknown): string[] =>
      Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
    // Oldest first: the last backup started wins, with the start of the run that started it.
    for (const e of await this.deps.store.audit.list(request.id)) {
      if (e.kind === 'started' || e.kind === 'resumed') runFrom = e.at;
      if (e.kind === 'cloud_call_sent' && e.detail['run'] !== run.token)
        for (const id of strings(e.detail['sent'])) sent.add(id);
      if (e.kind === 'backup_started' && e.detail['started'] === true) {
        const covers = new Set(strings(e.detail['volumes']));
        backup = { result: { started: true, at: e.at }, covers, runFrom: runFrom ?? e.at };
      }
    }
    return { sent, backup };
  }

  /**
   * `--now`: backs the target up once the volumes are in it (VBS runs the policy for all its
   * volumes, CBR backs up the vault). A refusal is reported in the summary; the volumes stay added.
   * Audited as soon as it returns, like a cloud call.
   */
  private async backUpNow(request: BackupRequest, volumeIds: readonly VolumeId[]): Promise<BackupNowResult> {
    const { backend, clock } = this.deps;
    let result: BackupNowResult;
    try {
      const start = await backend.backupNow(request.project, request.target.id);
      // The backup covers every volume of the target: only this request's skipped ones are its news.
      const mine = new Set<string>(volumeIds);
      const skipped = start.skipped.filter((s) => mine.has(s.volumeId));
      result = { started: true, at: clock.now(), ...(skipped.length > 0 && { skipped }) };
    } catch (e) {
      this.deps.logger.warn('could not start the backup now', { requestId: request.id, error: e });
      result = { started: false, ...safeReason(e) };
    }
    await this.auditNow(
      request,
      'backup_started',
      // The volumes it was started for: a resumed run reuses it only for those.
      result.started
        ? {
            started: true,
            volumes: volumeIds,
            ...(result.skipped !== undefined && { skipped: result.skipped.map((s) => s.volumeId) }),
          }
        : { started: false, code: result.code },
    );
    return result;
  }

  /**
   * CBR: which volumes a call is about to send, kept before it is sent (see `ownEarlierWork`). When
   * that cannot be written, nothing more is sent from here and the run is given back (the signal):
   * a run that resumed it would find the volumes in place and not know they were this request's
   * (its summary would say "already there", and Undo would leave them out).
   */
  private async keepSending(
    request: BackupRequest,
    run: RunUnderWay,
    call: CloudCallKind,
    chunk: SendingChunk,
  ): Promise<void> {
    const kept = await this.auditNow(request, 'cloud_call_sent', {
      call,
      chunk: chunk.index,
      sent: chunk.volumeIds,
      run: run.token,
    });
    if (kept) return;
    this.deps.logger.warn('sending nothing more: the run is given back', { requestId: request.id });
    run.calls.abort();
  }

  /** Appends a step of the bot's to the trail now; a failed write is logged (false) and the run goes on. */
  private async auditNow(request: BackupRequest, kind: AuditKind, detail: AuditEvent['detail']): Promise<boolean> {
    const { store, clock } = this.deps;
    return store.audit
      .append({ requestId: request.id, teamId: request.teamId, at: clock.now(), actor: 'bot', kind, detail })
      .then(
        () => true,
        (e: unknown) => {
          this.deps.logger.warn(`could not audit ${kind}`, { requestId: request.id, error: e });
          return false;
        },
      );
  }

  /**
   * Audits one cloud call as soon as it returns, before the outcome is recorded, so the trail has
   * every call even when the process or the database fails before the end. A failed audit write is
   * logged and the run goes on: the resumed run audits its own calls.
   */
  private async auditChunk(request: BackupRequest, call: CloudCallKind, chunk: ChunkReport): Promise<void> {
    const logger = this.deps.logger.with({ requestId: request.id });
    if (chunk.error)
      logger.warn(`${call} call failed`, {
        chunk: chunk.index,
        code: chunk.error.code,
        status: chunk.error.status,
        otcCode: chunk.error.otcCode,
        otcRequestId: chunk.error.otcRequestId,
      });
    await this.auditNow(request, 'cloud_call', {
      call,
      chunk: chunk.index,
      volumes: chunk.volumeIds.length,
      attempts: chunk.attempts,
      added: chunk.added,
      failed: chunk.failed,
      error: chunk.error ?? null,
    });
  }
}
