import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FinalState } from '../domain/request-state';
import { orAfter, STORE_ANSWER_MS } from '../flow/deadline';
import type { Clock, FlowMetrics, LeaseKind } from '../flow/ports';
import type { OutboxQueue, RequestQueries, RequestStore } from '../store/request-store';
import type { CloudCall } from '../otc/http';
import type { SlackCall } from '../slack/slack-fetch';

/** What the gauges read from the store when /metrics is scraped (so every replica reports the shared truth). */
export interface MetricsSources {
  readonly store: Pick<RequestStore, 'health'> & {
    readonly queries: Pick<RequestQueries, 'countPendingApprovals'>;
    readonly outbox: Pick<OutboxQueue, 'backlog'>;
  };
  readonly clock: Clock;
  /** How long a scrape waits for each store read (default STORE_ANSWER_MS); a late one reads as unknown. */
  readonly storeAnswerMs?: number;
}

/** Slack allows 3 s for an ack: the buckets are fine below it and say clearly when it is passed. */
const ACK_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
const CLOUD_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

const HEX32 = /^[0-9a-f]{32}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A cloud call's operation, e.g. `POST /v2/{project_id}/backuppolicyresources`: the path with its
 * project, resource and numeric ids replaced, so the label has a handful of values, not one per volume.
 */
export function cloudOperation(method: string, path: string): string {
  const segments = path
    .split('/')
    .map((s) => (HEX32.test(s) ? '{project_id}' : UUID.test(s) || /^\d+$/.test(s) ? '{id}' : s));
  return `${method} ${segments.join('/')}`;
}

/**
 * The bot's Prometheus metrics, in a registry of its own (never prom-client's global one), so
 * several bots in one process (the tests, the demo's replicas) each count their own.
 */
export class BotMetrics implements FlowMetrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'subcommand' | 'outcome'>;
  private readonly requestsClosed: Counter<'state'>;
  private readonly ackSeconds: Histogram;
  private readonly cloudSeconds: Histogram<'operation' | 'status'>;
  private readonly slackErrors: Counter<'method' | 'error'>;
  private readonly takeovers: Counter<'kind'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
      new Counter<L>({ name, help, labelNames, registers });
    const histogram = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      buckets: number[],
    ): Histogram<L> => new Histogram<L>({ name, help, labelNames, buckets, registers });
    this.commands = counter('backup_bot_commands_total', 'Slash commands answered, by subcommand and outcome', [
      'subcommand',
      'outcome',
    ]);
    this.requestsClosed = counter(
      'backup_bot_requests_final_total',
      'Requests this replica moved into a final state, by that state',
      ['state'],
    );
    this.ackSeconds = histogram(
      'backup_bot_ack_seconds',
      'From receipt of a Slack request to its acknowledgement',
      [],
      ACK_BUCKETS_S,
    );
    this.cloudSeconds = histogram(
      'backup_bot_cloud_call_seconds',
      'Cloud API calls (each send, retries included), by operation and HTTP status',
      ['operation', 'status'],
      CLOUD_BUCKETS_S,
    );
    this.slackErrors = counter(
      'backup_bot_slack_api_errors_total',
      'Slack Web API calls that failed, by method and error',
      ['method', 'error'],
    );
    this.takeovers = counter(
      'backup_bot_lease_takeovers_total',
      'Work taken over from a holder whose lease ran out: resumed runs and outbox claims',
      ['kind'],
    );
    const { store, clock } = sources;
    const answerMs = sources.storeAnswerMs ?? STORE_ANSWER_MS;
    new Gauge({
      name: 'backup_bot_store_up',
      help: '1 when the store answers with the schema this build needs (as /readyz), else 0',
      registers,
      async collect() {
        this.set((await orAfter(answerMs, store.health(), 'unavailable')) === 'ok' ? 1 : 0);
      },
    });
    // The gauges read from the store. One that cannot be read, or not within answerMs, is NaN in
    // this scrape (unknown, never a stale value), and the rest of the scrape is still answered: an
    // outage is when it is needed.
    const fromStore = (name: string, help: string, read: () => Promise<number>): void => {
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          try {
            this.set(await orAfter(answerMs, read(), Number.NaN));
          } catch {
            this.set(Number.NaN);
          }
        },
      });
    };
    fromStore(
      'backup_bot_approvals_pending',
      'Requests waiting for an approver (all replicas: read from the store)',
      () => store.queries.countPendingApprovals(),
    );
    fromStore(
      'backup_bot_outbox_backlog',
      'Slack messages owed and not yet delivered nor given up (read from the store)',
      async () => (await store.outbox.backlog()).open,
    );
    // Its own query: prom-client collects the gauges of one scrape concurrently, so they cannot share one.
    fromStore(
      'backup_bot_outbox_oldest_age_seconds',
      'Age of the oldest undelivered Slack message; 0 when there is none',
      async () => {
        const oldest = (await store.outbox.backlog()).oldestCreatedAt;
        return oldest === undefined ? 0 : Math.max(0, clock.now() - oldest) / 1000;
      },
    );
  }

  commandAnswered(subcommand: string, outcome: string): void {
    this.commands.inc({ subcommand, outcome });
  }

  requestClosed(state: FinalState): void {
    this.requestsClosed.inc({ state });
  }

  leaseTakenOver(kind: LeaseKind): void {
    this.takeovers.inc({ kind });
  }

  acked(ms: number): void {
    this.ackSeconds.observe(ms / 1000);
  }

  cloudCalled(call: CloudCall): void {
    this.cloudSeconds.observe(
      {
        operation: cloudOperation(call.method, call.path),
        status: call.status === undefined ? 'network_error' : String(call.status),
      },
      call.durationMs / 1000,
    );
  }

  slackCalled(call: SlackCall): void {
    if (call.error !== undefined) this.slackErrors.inc({ method: call.method, error: call.error });
  }

  /** The text exposition /metrics answers with. */
  async exposition(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
