import { formatSdkDate, signRequest } from '../../src/otc/signer';
import type { Sandbox } from '../../src/sandbox';
import { DEFAULT_PROJECT_ID } from '../../src/sandbox';

export const PROJECT = DEFAULT_PROJECT_ID;

export interface PolicyJson {
  backup_policy_id: string;
  backup_policy_name: string;
  scheduled_policy: Record<string, string | number>;
  policy_resource_count: number;
}

export interface VolumeJson {
  id: string;
  name: string;
  status: string;
  availability_zone: string;
  attachments: Array<Record<string, string | null>>;
  links: Array<{ href: string; rel: string }>;
  [field: string]: unknown;
}

/** Every body the sandbox sends, as one loose type: tests read the fields their call returns. */
/**
 * Every body the sandbox sends, as one loose type. Fields are declared present: a test reads the
 * fields its call returns, and a missing one is `undefined` at run time, failing the expectation.
 */
export interface ApiBody {
  error: { code: string | number; message: string; title?: string };
  error_code: string;
  error_msg: string;
  request_id: string;
  token: {
    expires_at: string;
    issued_at: string;
    roles: Array<{ id: string; name: string }>;
    project?: { id: string; name: string };
    domain?: { id: string; name: string };
    [field: string]: unknown;
  };
  backup_policies: PolicyJson[];
  success_resources: Array<Record<string, string>>;
  fail_resources: Array<Record<string, string>>;
  count: number;
  volumes: VolumeJson[];
  volumes_links: Array<{ href: string; rel: string }>;
  volume: VolumeJson;
  badrequest: { code: number; message: string };
  badRequest: { code: number; message: string };
  itemNotFound: { code: number; message: string };
  servers: ServerJson[];
  servers_links: Array<{ href: string; rel: string }>;
  server: ServerJson;
  vaults: VaultJson[];
  vault: VaultJson;
  limit: number;
  offset: number;
  policies: CbrPolicyJson[];
  add_resource_ids: string[];
  remove_resource_ids: string[];
  migrated_resources: string[];
  tasks: TaskJson[];
  backups: BackupJson[];
  backup: BackupJson;
  backups_links: Array<{ href: string; rel: string }>;
  checkpoint: CheckpointJson;
}

/** A VBS backup task (`GET …/backuptasks`). */
export interface TaskJson {
  status: string;
  job_id: string;
  created_at: string;
  finished_at?: string;
  backup_name: string;
  resource_id: string;
  resource_type: string;
}

/** A VBS (Cinder) or CBR backup: the fields of either, as the test reads them. */
export interface BackupJson {
  id: string;
  name: string;
  status: string;
  [field: string]: unknown;
}

export interface CheckpointJson {
  id: string;
  status: string;
  created_at: string;
  project_id: string;
  vault: {
    id: string;
    name: string;
    resources: Array<{ id: string; name: string; protect_status: string; resource_size: string; type: string }>;
    skipped_resources: Array<{ id: string; name: string; type: string; code: string; reason: string }>;
  };
  extra_info: { name: string; description: string; retention_duration: number };
}

export interface VaultJson {
  id: string;
  name: string;
  resources: Array<{ id: string; name: string; type: string; size: number; protect_status: string }>;
  billing: { size: number; allocated: number; used: number; object_type: string; [field: string]: unknown };
  [field: string]: unknown;
}

export interface CbrPolicyJson {
  id: string;
  name: string;
  enabled: boolean;
  operation_type: string;
  operation_definition: Record<string, string | number>;
  trigger: { properties: { pattern: string[]; start_time: string }; [field: string]: unknown };
  associated_vaults: Array<{ vault_id: string }>;
}

export interface ServerJson {
  id: string;
  name: string;
  links: Array<{ href: string; rel: string }>;
  status?: string;
  [field: string]: unknown;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: ApiBody;
}

/** fetch + JSON body (undefined when the body is empty or not JSON). */
export async function call(
  sandbox: Sandbox,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | object } = {},
): Promise<JsonResponse> {
  const body = typeof options.body === 'object' ? JSON.stringify(options.body) : options.body;
  const response = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...options.headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed = {} as ApiBody;
  try {
    if (text !== '') parsed = JSON.parse(text) as ApiBody;
  } catch {
    // not JSON: leave the body empty
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export function passwordAuthBody(
  sandbox: Sandbox,
  scope: object = { project: { id: PROJECT } },
  overrides: { name?: string; password?: string; domain?: string } = {},
): object {
  const c = sandbox.credentials;
  return {
    auth: {
      identity: {
        methods: ['password'],
        password: {
          user: {
            name: overrides.name ?? c.username,
            password: overrides.password ?? c.password,
            domain: { name: overrides.domain ?? c.domainName },
          },
        },
      },
      scope,
    },
  };
}

/** A token scoped to `projectId` (default: the seeded project). */
export async function getToken(sandbox: Sandbox, projectId: string = PROJECT): Promise<string> {
  const response = await call(sandbox, 'POST', '/v3/auth/tokens', {
    body: passwordAuthBody(sandbox, { project: { id: projectId } }),
  });
  const token = response.headers.get('x-subject-token');
  if (response.status !== 201 || token === null) throw new Error(`token request failed: ${response.status}`);
  return token;
}

/** Headers for an AK/SK-signed request, signed exactly as the client signs (`Credential=` flavour). */
export function signedHeaders(
  sandbox: Sandbox,
  request: { method: string; path: string; query?: Array<[string, string]>; body?: string },
  options: { date?: Date; projectId?: string; secretKey?: string; accessKey?: string } = {},
): Record<string, string> {
  const host = new URL(sandbox.url).host;
  const headers = { host, 'content-type': 'application/json', 'x-project-id': options.projectId ?? PROJECT };
  const signed = signRequest(
    { method: request.method, path: request.path, query: request.query ?? [], headers, body: request.body ?? '' },
    {
      accessKey: options.accessKey ?? sandbox.credentials.accessKey,
      secretKey: options.secretKey ?? sandbox.credentials.secretKey,
    },
    { flavour: 'credential', date: options.date ?? new Date(), region: 'eu-de', service: 'vbs' },
  );
  return {
    'Content-Type': headers['content-type'],
    'X-Project-Id': headers['x-project-id'],
    'X-Sdk-Date': signed.sdkDate,
    Authorization: signed.authorization,
  };
}

export { formatSdkDate };
