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
    `  VBS  ${url}           (/v2/{project_id}/backuppolicy, /backuppolicyresources)`,
    `  EVS  ${url}           (/v2/{project_id}/cloudvolumes/detail, /volumes/{id})`,
    `  ECS  ${url}           (/v2.1/{project_id}/servers?name=, /servers/{id})`,
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
    formatTable([['ID', 'NAME', 'REGION'], ...projects.map((p) => [p.id, p.name, p.region])]),
  ];
  for (const project of projects) {
    const policies = state.listPolicies(project.id);
    const policyName = new Map(policies.map((p) => [p.id, p.name]));
    lines.push('', `Backup policies in ${project.name} (${project.id})`);
    lines.push(
      formatTable([
        ['NAME', 'ID', 'SCHEDULE', 'RETENTION', 'STATUS', 'VOLUMES'],
        ...policies.map((p) => [
          p.name,
          p.id,
          `every ${p.frequency === 1 ? 'day' : `${p.frequency} days`} at ${p.startTime} UTC`,
          `${p.retentionNum} backups${p.remainFirstBackupOfCurMonth === 'Y' ? ' + 1st of month' : ''}`,
          p.status,
          String(state.policyResourceCount(project.id, p.id)),
        ]),
      ]),
    );
    lines.push('', `Volumes in ${project.name} (${project.id})`);
    lines.push(
      formatTable([
        ['NAME', 'ID', 'AZ', 'SIZE', 'STATUS', 'SERVER', 'POLICY'],
        ...state.listVolumes(project.id).map((v) => {
          const policyId = state.policyOfVolume(project.id, v.id);
          return [
            v.name,
            v.id,
            v.availabilityZone,
            `${v.size} GB ${v.volumeType}`,
            v.status,
            v.attachments.map((a) => `${a.serverName} ${a.device}`).join(', ') || '-',
            policyId === undefined ? '-' : (policyName.get(policyId) ?? policyId),
          ];
        }),
      ]),
    );
    lines.push('', `Servers in ${project.name} (${project.id})`, formatServers(sandbox, project.id));
  }
  if (first !== undefined)
    lines.push('', ...configSnippet(sandbox, first.region), '', ...curlExample(sandbox, first.id));
  lines.push('', 'Press Ctrl+C to stop.');
  return lines.join('\n');
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

/** Matches the bot's config file (backup-bot.yml) and environment; credentials never go in the file. */
function configSnippet(sandbox: Sandbox, region: string): string[] {
  const { url, credentials: c, projects } = sandbox;
  return [
    'Bot configuration (backup-bot.yml):',
    '',
    'cloud:',
    `  region: ${region}`,
    `  auth_url: ${url}/v3`,
    `  endpoints: { vbs: '${url}', evs: '${url}', ecs: '${url}' }`,
    'projects:',
    ...projects.map(
      (p, index) => `  - { name: ${p.name}, id: ${p.id}, region: ${p.region}${index === 0 ? ', default: true' : ''} }`,
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
  ];
}
