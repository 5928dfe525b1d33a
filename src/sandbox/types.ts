import type { FaultInjector } from './faults';
import type { BackupService, SandboxProject } from './model';
import type { SandboxState } from './state';

export const SANDBOX_ROUTES = [
  'iam.tokens',
  'vbs.policies.list',
  'vbs.associate',
  'vbs.disassociate',
  'vbs.execute',
  'vbs.backup_tasks',
  'vbs.backups',
  'vbs.show_backup',
  'evs.volumes.detail',
  'evs.volume.get',
  'ecs.servers.list',
  'ecs.server.get',
  'cbr.list_vaults',
  'cbr.show_vault',
  'cbr.list_policies',
  'cbr.add',
  'cbr.remove',
  'cbr.migrate',
  'cbr.checkpoint',
  'cbr.show_checkpoint',
  'cbr.list_backups',
  'cbr.show_backup',
] as const;
export type SandboxRoute = (typeof SANDBOX_ROUTES)[number];

export interface SandboxCredentials {
  username: string;
  password: string;
  domainName: string;
  accessKey: string;
  secretKey: string;
}

export interface SandboxProjectSeed {
  id: string;
  name?: string;
  region?: string;
  /** Default 'vbs'. A 'cbr' project is also seeded with vaults and CBR policies (see cbr-seed.ts). */
  backupService?: BackupService;
}

/** Base URLs of the services the sandbox serves (all on one server): what a client's endpoint settings take. */
export interface SandboxEndpoints {
  /** `${url}/v3` (POST /v3/auth/tokens). */
  readonly iam: string;
  readonly vbs: string;
  readonly evs: string;
  readonly ecs: string;
  /** CBR v3: `/v3/{project_id}/vaults`, `/policies`, `/checkpoints`, `/backups`. */
  readonly cbr: string;
}

export interface SandboxOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Default: one project, id '0123456789abcdef0123456789abcdef', name 'sandbox', region 'eu-de'. */
  projects?: SandboxProjectSeed[];
  credentials?: Partial<SandboxCredentials>;
  /** Default 24 h. */
  tokenTtlMs?: number;
  /** The clock for token expiry, X-Sdk-Date checks and timestamps; default real time. */
  now?: () => Date;
  /**
   * Most volumes one VBS associate call may carry; more is refused with 400 AutoBackup.0204. VBS
   * documents no per-call maximum (only the code); default 40, where the console starts to warn, so a
   * bot chunking at its default 20 passes and one that sends everything at once is caught.
   */
  vbsMaxResourcesPerCall?: number;
  /**
   * How long a backup job (VBS task, CBR backup) takes on the sandbox clock (`now`): WAITING for its first
   * fifth, RUNNING until it ends, then done. Default 3000; 0 finishes at once. `state.backups.setDuration`
   * changes it for jobs started afterwards.
   */
  backupDurationMs?: number;
}

/** One request the sandbox served. No headers or bodies: nothing secret is kept. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** Raw query string without `?` ('' when none). */
  readonly query: string;
  /** 'unmatched' for unknown paths (404) and wrong methods (405). */
  readonly route: SandboxRoute | 'unmatched';
  /** HTTP status sent; 0 when the connection was dropped by an injected fault. */
  readonly status: number;
  readonly projectId?: string;
  /** How the caller authenticated ('none' also for rejected credentials and for IAM itself). */
  readonly auth: 'token' | 'aksk' | 'none';
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:41234 ; IAM at `${url}/v3`, VBS, EVS, ECS and CBR at `${url}`. */
  readonly url: string;
  /** The same, per service. */
  readonly endpoints: SandboxEndpoints;
  readonly credentials: SandboxCredentials;
  readonly projects: readonly SandboxProject[];
  /** Live data; CBR's is `state.cbr`, backup jobs and backups (VBS and CBR) `state.backups`. */
  readonly state: SandboxState;
  readonly faults: FaultInjector;
  readonly requests: readonly RecordedRequest[];
  /** Every token issued so far is expired from now on (VBS answers AutoBackup.0003). */
  expireAllTokens(): void;
  /** Closes the server and all sockets (keep-alive too); idempotent. */
  stop(): Promise<void>;
}
