import type { Config } from '../config/load-config';
import type { Logger } from '../log/logger';
import { BackgroundWork } from './background';
import { CloudCache } from './cloud-cache';
import { RequestExecutor } from './execute-request';
import type { FlowDeps } from './flow-deps';
import { countFinalStates } from './counted-records';
import { Outbox } from './outbox';
import { BackupWatcher } from './watch-backups';
import type {
  BackupBackend,
  BackupRuns,
  Clock,
  CloudReads,
  FlowMetrics,
  MessageDeliverer,
  NewRequestId,
  PeopleDirectory,
  RequestStore,
} from './ports';
import { NO_METRICS } from './ports';
import { RequestLimiter } from './request-limiter';
import { shareTargetLists } from './target-lists';
import type { WorkTurnsOptions } from './work-turns';
import { paced, WorkTurns } from './work-turns';
import { Workspaces } from './workspaces';

/** The adapters the flows run on, and this replica's name. */
export interface FlowSetup {
  readonly config: Config;
  readonly store: RequestStore;
  readonly cloud: BackupBackend & BackupRuns & CloudReads;
  readonly people: PeopleDirectory;
  readonly deliverer: MessageDeliverer;
  readonly clock: Clock;
  readonly newRequestId: NewRequestId;
  /** This replica's name, recorded as the runner of the requests it executes and the claimer of messages. */
  readonly owner: string;
  readonly logger: Logger;
  /** Waits between a Slack message's delivery attempts (tests shorten them). */
  readonly outboxBackoffMs?: readonly number[];
  /** How the work after answers is paced; default WorkTurns' own. */
  readonly turns?: WorkTurnsOptions;
  /** Counts for /metrics; default none. */
  readonly metrics?: FlowMetrics;
}

/** Puts the flows' dependencies together once; every entry point (Slack, the demo, tests) shares them. */
export function createFlowDeps(setup: FlowSetup): FlowDeps {
  const { config, clock, logger } = setup;
  const metrics = setup.metrics ?? NO_METRICS;
  const store = { ...pickStore(setup.store), requests: countFinalStates(setup.store.requests, metrics) };
  const cloud = shareTargetLists(setup.cloud, clock);
  // The work after an answer (deliveries, runs, a typed command's checks) goes in turns, so that it
  // never holds up Slack's acks; lease renewals, and the work given back at a stop, are never held up by it.
  const turns = new WorkTurns(setup.turns);
  const renewals = ['renewRun', 'releaseRun', 'renewClaim', 'releaseClaim'];
  const later = {
    requests: paced(store.requests, turns, renewals),
    queries: paced(store.queries, turns),
    audit: paced(store.audit, turns),
    outbox: paced(store.outbox, turns, renewals),
    cloud: paced(cloud, turns),
    deliverer: paced(setup.deliverer, turns),
  };
  const outbox = new Outbox(later, later.deliverer, clock, logger.child('outbox'), {
    owner: setup.owner,
    // One lease for all work a replica holds: a claim on a message, like a run, is taken over that
    // long after its holder stopped renewing it.
    leaseMs: config.execution.runLeaseMs,
    ...(setup.outboxBackoffMs && { backoffMs: setup.outboxBackoffMs }),
    metrics,
  });
  const executor = new RequestExecutor({
    store: later,
    backend: later.cloud,
    outbox,
    deliverer: later.deliverer,
    clock,
    logger: logger.child('executor'),
    owner: setup.owner,
    associate: { chunkSize: config.cloud.chunkSize, concurrency: config.cloud.concurrency },
    leaseMs: config.execution.runLeaseMs,
    watchTimings: config.execution.firstBackup,
    metrics,
  });
  const watcher = new BackupWatcher({
    watches: paced(setup.store.watches, turns),
    runs: later.cloud,
    outbox,
    clock,
    logger: logger.child('watch'),
    owner: setup.owner,
    leaseMs: config.execution.runLeaseMs,
    firstLookMs: config.execution.firstBackup.firstLookMs,
  });
  return {
    config,
    cloud,
    runs: cloud,
    watcher,
    afterAnswer: { cloud: later.cloud, queries: later.queries, requests: later.requests, turns },
    // The form keeps its own copy for type-ahead and previews, and its submit reads the cloud itself.
    formCloud: new CloudCache(setup.cloud, clock),
    people: setup.people,
    requests: store.requests,
    queries: store.queries,
    audit: store.audit,
    drafts: store.drafts,
    outbox,
    executor,
    work: new BackgroundWork(logger.child('work')),
    clock,
    newRequestId: setup.newRequestId,
    logger: logger.child('flow'),
    workspaces: new Workspaces(config.access.allowedTeamIds),
    limiter: new RequestLimiter(clock, config.limits.requestsPerUserPerMinute),
    sandbox: config.cloud.auth.kind === 'sandbox',
    metrics,
  };
}

/** The parts of the store the flows use (a store is a class instance: its fields are copied by name). */
function pickStore(store: RequestStore): Pick<RequestStore, 'queries' | 'audit' | 'outbox' | 'drafts'> {
  return { queries: store.queries, audit: store.audit, outbox: store.outbox, drafts: store.drafts };
}
