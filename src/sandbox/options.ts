import { DEFAULT_BACKUP_DURATION_MS } from './backup-model';
import type { SandboxProject } from './model';
import { DEFAULT_PROJECT_ID } from './seed';
import type { SandboxCredentials, SandboxOptions } from './types';

export const DEFAULT_CREDENTIALS: SandboxCredentials = {
  username: 'sandbox-user',
  password: 'sandbox-password',
  domainName: 'sandbox-domain',
  accessKey: 'SANDBOXACCESSKEY000',
  secretKey: 'sandbox-secret-key',
};

export const DEFAULT_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;
/** See SandboxOptions.vbsMaxResourcesPerCall. */
export const DEFAULT_VBS_MAX_RESOURCES_PER_CALL = 40;

export interface ResolvedOptions {
  readonly host: string;
  readonly port: number;
  readonly projects: readonly SandboxProject[];
  readonly credentials: SandboxCredentials;
  readonly tokenTtlMs: number;
  readonly now: () => Date;
  readonly vbsMaxResourcesPerCall: number;
  readonly backupDurationMs: number;
}

/** Fills in defaults and rejects options the sandbox cannot honour (thrown RangeError). */
export function resolveOptions(options: SandboxOptions): ResolvedOptions {
  const seeds = options.projects ?? [{ id: DEFAULT_PROJECT_ID, name: 'sandbox', region: 'eu-de' }];
  if (seeds.length === 0) throw new RangeError('sandbox: at least one project is needed');
  const projects: SandboxProject[] = seeds.map((seed, index) => ({
    id: seed.id,
    name: seed.name ?? (index === 0 ? 'sandbox' : `sandbox-${index + 1}`),
    region: seed.region ?? 'eu-de',
    backupService: seed.backupService ?? 'vbs',
  }));
  for (const project of projects) {
    if (!/^[A-Za-z0-9_-]+$/.test(project.id)) throw new RangeError(`sandbox: invalid project id '${project.id}'`);
    if (!/^[a-z0-9-]+$/.test(project.region)) throw new RangeError(`sandbox: invalid region '${project.region}'`);
    // From JavaScript (or a YAML file) anything may come; the type allows only these two.
    if (!(['vbs', 'cbr'] as const).some((s) => s === project.backupService)) {
      throw new RangeError(`sandbox: invalid backup service '${project.backupService}' (vbs or cbr)`);
    }
  }
  if (new Set(projects.map((p) => p.id)).size !== projects.length) {
    throw new RangeError('sandbox: project ids must be unique');
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`sandbox: invalid port ${port}`);
  const tokenTtlMs = options.tokenTtlMs ?? DEFAULT_TOKEN_TTL_MS;
  if (!(tokenTtlMs > 0)) throw new RangeError('sandbox: tokenTtlMs must be positive');
  const vbsMaxResourcesPerCall = options.vbsMaxResourcesPerCall ?? DEFAULT_VBS_MAX_RESOURCES_PER_CALL;
  if (!Number.isInteger(vbsMaxResourcesPerCall) || vbsMaxResourcesPerCall < 1) {
    throw new RangeError('sandbox: vbsMaxResourcesPerCall must be a positive integer');
  }
  const backupDurationMs = options.backupDurationMs ?? DEFAULT_BACKUP_DURATION_MS;
  if (!(Number.isFinite(backupDurationMs) && backupDurationMs >= 0)) {
    throw new RangeError('sandbox: backupDurationMs must be a number >= 0');
  }
  return {
    host: options.host ?? '127.0.0.1',
    port,
    projects,
    credentials: { ...DEFAULT_CREDENTIALS, ...definedOnly(options.credentials ?? {}) },
    tokenTtlMs,
    now: options.now ?? (() => new Date()),
    vbsMaxResourcesPerCall,
    backupDurationMs,
  };
}

/** The credentials a caller set; a key given as undefined (from JavaScript, or a spread) keeps the default. */
function definedOnly(partial: Partial<SandboxCredentials>): Partial<SandboxCredentials> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => (v as string | undefined) !== undefined));
}
