import type { Config } from '../config/load-config';
import type { Logger } from '../log/logger';
import type { BackgroundWork } from './background';
import type { CloudCache } from './cloud-cache';
import type { RequestExecutor } from './execute-request';
import type { Outbox } from './outbox';
import type { BackupWatcher } from './watch-backups';
import type {
  AuditLog,
  BackupRuns,
  Clock,
  CloudReads,
  DraftStore,
  FlowMetrics,
  NewRequestId,
  PeopleDirectory,
  RequestQueries,
  RequestRecords,
} from './ports';
import type { RequestLimiter } from './request-limiter';
import type { Workspaces } from './workspaces';
import type { WorkTurns } from './work-turns';

/** The part of the configuration the flows read. */
export type FlowConfig = Pick<Config, 'projects' | 'defaultProject' | 'access' | 'approvals' | 'limits'>;

/**
 * Everything the flows are built with, put together once (createFlowDeps). Each flow function
 * names the parts it uses (`Pick<FlowDeps, …>`), so a reader sees what an action touches.
 */
export interface FlowDeps {
  readonly config: FlowConfig;
  /** The live cloud: what a request is checked and recorded against. */
  readonly cloud: CloudReads;
  /** Backups of targets: `/backup status <volume>` reads a volume's last one. */
  readonly runs: BackupRuns;
  /** Watches the first backups of what finished requests added (a scheduler task). */
  readonly watcher: BackupWatcher;
  /**
   * The same cloud and store, paced (flow/work-turns.ts): for work that runs after the person has
   * been answered, such as a typed command's checks, so that it does not hold up Slack's next acks.
   */
  readonly afterAnswer: Pick<FlowDeps, 'cloud' | 'queries' | 'requests'> & { readonly turns: WorkTurns };
  /** The form's one-minute copy of the cloud: type-ahead and previews. */
  readonly formCloud: CloudCache;
  readonly people: PeopleDirectory;
  readonly requests: RequestRecords;
  readonly queries: RequestQueries;
  readonly audit: AuditLog;
  readonly drafts: DraftStore;
  readonly outbox: Outbox;
  readonly executor: RequestExecutor;
  readonly work: BackgroundWork;
  readonly clock: Clock;
  readonly newRequestId: NewRequestId;
  readonly logger: Logger;
  /** The Slack workspaces the bot serves (see admission.ts). */
  readonly workspaces: Workspaces;
  /** Requests per person and minute (see admission.ts). */
  readonly limiter: RequestLimiter;
  /** The cloud is the built-in emulator: everything the bot shows says so. */
  readonly sandbox: boolean;
  /** Counts for /metrics (a no-op unless the app gives its own). */
  readonly metrics: FlowMetrics;
}
