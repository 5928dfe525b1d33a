import { cbrTables, vaultNameOf } from './cbr-banner';
import type { SandboxPolicy, SandboxProject } from './model';
import type { Sandbox } from './types';

/** Pads columns to their widest cell; the first row is the header. */
export function formatTable(rows: ReadonlyArray<readonly string[]>, indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Everything a person needs to point the bot (or curl) at the sandbox. Pure: the CLI prints it. */
export function formatSandboxBanner(sandbox: Sandbox): string {
  const { url, credentials: c, projects, state } = sandbox;
  const first = projects[0];
  const lines: string[] = [
    `OTC sandbox running at ${url}`,
    `  IAM  ${url}/v3        (POST /v3/auth/tokens)`,
    `  VBS  ${url}           (/v2/{project_id}/backuppolicy, /backuppolicyresources, /backups/detail)`,
    `  EVS  ${url}           (/v2/{project_id}/cloudvolumes/detail, /volumes/{id})`,
    `  ECS  ${url}           (/v2.1/{project_id}/servers?name=, /servers/{id})`,
    `  CBR  ${url}           (/v3/{project_id}/vaults, /vaults/{id}/addresources, /policies, /backups)`,
    '',
    'Credentials',
    formatTable([
      ['username', c.username],
      ['password', c.password],
      ['domain', c.domainName],
      ['access key', c.accessKey],
      ['secret key', c.secretKey],
    ]),
    '',
    'Projects',
    formatTable([
      ['ID', 'NAME', 'REGION', 'BACKUP'],
      ...projects.map((p) => [p.id, p.name, p.region, p.backupService.toUpperCase()]),
    ]),
  ];
  for (const project of projects) {
    const named = `${project.name} (${project.id})`;
    // A CBR project's VBS data still answers on the VBS routes; the banner shows what the bot uses there.
    const cbr = project.backupService === 'cbr';
    const policyName = new Map(state.listPolicies(project.id).map((p) => [p.id, p.name]));
    if (cbr) {
      const tables = cbrTables(sandbox, project);
      lines.push('', `CBR policies in ${named}`, formatTable(tables.policies));
      lines.push('', `CBR vaults in ${named}`, formatTable(tables.vaults));
    } else {
      lines.push('', `Backup policies in ${named}`, formatVbsPolicies(sandbox, project));
    }
    lines.push('', `Volumes in ${named}`);
    lines.push(
      formatTable([
        ['NAME', 'ID', 'AZ', 'SIZE', 'STATUS', 'SERVER', cbr ? 'VAULT' : 'POLICY'],
        ...state.listVolumes(project.id).map((v) => {
          const policyId = state.policyOfVolume(project.id, v.id);
          return [
            v.name,
            v.id,
            v.availabilityZone,
            `${v.size} GB ${v.volumeType}`,
            v.status,
            v.attachments.map((a) => `${a.serverName} ${a.device}`).join(', ') || '-',
            cbr
              ? vaultNameOf(sandbox, project.id, v.id)
              : policyId === undefined
                ? '-'
                : (policyName.get(policyId) ?? policyId),
          ];
        }),
      ]),
    );
    lines.push('', `Servers in ${named}`, formatServers(sandbox, project.id));
  }
  if (first !== undefined)
    lines.push('', ...configSnippet(sandbox, first.region), '', ...curlExample(sandbox, first.id));
  lines.push('', 'Press Ctrl+C to stop.');
  return lines.join('\n');
}

function formatVbsPolicies(sandbox: Sandbox, project: SandboxProject): string {
  const state = sandbox.state;
  return formatTable([
    ['NAME', 'ID', 'SCHEDULE', 'RETENTION', 'STATUS', 'VOLUMES'],
    ...state
      .listPolicies(project.id)
      .map((p) => [
        p.name,
        p.id,
        scheduleText(p),
        `${p.retentionNum} backups${p.remainFirstBackupOfCurMonth === 'Y' ? ' + 1st of month' : ''}`,
        p.status,
        String(state.policyResourceCount(project.id, p.id)),
      ]),
  ]);
}

/** `every day at 02:00 UTC`, `on SUN,WED at 22:00 UTC (days in UTC+02:00)`. */
function scheduleText(p: SandboxPolicy): string {
  const days =
    p.frequency === undefined
      ? `on ${(p.weekFrequency ?? []).join(',')}`
      : p.frequency === 1
        ? 'every day'
        : `every ${p.frequency} days`;
  return `${days} at ${p.startTime} UTC${p.timeZone === undefined ? '' : ` (days in ${p.timeZone})`}`;
}

/** Each server with the volumes attached to it, in device order (`/dev/vda` first). */
function formatServers(sandbox: Sandbox, projectId: string): string {
  const volumes = sandbox.state.listVolumes(projectId);
  return formatTable([
    ['NAME', 'ID', 'STATUS', 'VOLUMES ATTACHED'],
    ...sandbox.state.listServers(projectId).map((server) => {
      const attached = volumes
        .flatMap((v) => v.attachments.filter((a) => a.serverId === server.id).map((a) => [a.device, v.name] as const))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, name]) => name);
      return [server.name, server.id, server.status, attached.join(', ') || '-'];
    }),
  ]);
}

/**
 * Matches the bot's config file (backup-bot.yml) and environment; credentials never go in the file.
 * The CBR endpoint is named only when a project backs up with CBR, and such a project is marked by a
 * comment: the snippet of a VBS-only sandbox stays one that a bot without CBR settings accepts.
 */
function configSnippet(sandbox: Sandbox, region: string): string[] {
  const { credentials: c, projects, endpoints: e } = sandbox;
  const anyCbr = projects.some((p) => p.backupService === 'cbr');
  return [
    'Bot configuration (backup-bot.yml):',
    '',
    'cloud:',
    `  region: ${region}`,
    `  auth_url: ${e.iam}`,
    `  endpoints: { vbs: '${e.vbs}', evs: '${e.evs}', ecs: '${e.ecs}'${anyCbr ? `, cbr: '${e.cbr}'` : ''} }`,
    'projects:',
    ...projects.map(
      (p, index) =>
        `  - { name: ${p.name}, id: ${p.id}, region: ${p.region}${index === 0 ? ', default: true' : ''} }` +
        (p.backupService === 'cbr' ? '  # backs up with CBR (vaults)' : ''),
    ),
    '',
    'Environment (password or AK/SK):',
    '',
    `export OTC_USERNAME=${shellQuote(c.username)} OTC_PASSWORD=${shellQuote(c.password)} OTC_DOMAIN_NAME=${shellQuote(c.domainName)}`,
    `# or: export OTC_ACCESS_KEY=${shellQuote(c.accessKey)} OTC_SECRET_KEY=${shellQuote(c.secretKey)}`,
  ];
}

function curlExample(sandbox: Sandbox, projectId: string): string[] {
  const { url, credentials: c } = sandbox;
  const cbrFirst = sandbox.projects[0]?.backupService === 'cbr';
  const auth = {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: c.username, password: c.password, domain: { name: c.domainName } } },
      },
      scope: { project: { id: projectId } },
    },
  };
  return [
    'Try it with curl:',
    '',
    `TOKEN=$(curl -s -o /dev/null -D - -X POST ${url}/v3/auth/tokens -H 'Content-Type: application/json' \\`,
    `  -d ${shellQuote(JSON.stringify(auth))} \\`,
    `  | awk 'tolower($1)=="x-subject-token:" {print $2}' | tr -d '\\r')`,
    `curl -s -H "X-Auth-Token: $TOKEN" ${url}/v2/${projectId}/backuppolicy`,
    `curl -s -H "X-Auth-Token: $TOKEN" '${url}/v2/${projectId}/cloudvolumes/detail?name=db-data-2'`,
    ...(cbrFirst ? [`curl -s -H "X-Auth-Token: $TOKEN" '${url}/v3/${projectId}/vaults?object_type=disk'`] : []),
  ];
}
