import type { Sandbox } from '../../src/sandbox';
import { formatSandboxBanner, startSandbox } from '../../src/sandbox';
import { CLI_USAGE, parseCliArgs, runCli } from '../../src/sandbox/cli';
import { loadConfig } from '../../src/config/load-config';

describe('sandbox CLI arguments', () => {
  it.each([
    [[], { port: 0, host: '127.0.0.1' }],
    [['--port', '8787'], { port: 8787, host: '127.0.0.1' }],
    [['--port=8787', '--host=0.0.0.0'], { port: 8787, host: '0.0.0.0' }],
    [['--host', '::1', '--port', '0'], { port: 0, host: '::1' }],
  ])('parses %j', (argv, options) => {
    expect(parseCliArgs(argv)).toEqual({ kind: 'run', options });
  });

  it.each([
    [['--port'], '--port needs a value'],
    [['--port', 'abc'], '--port must be an integer'],
    [['--port', '70000'], '--port must be an integer'],
    [['--port', '-1'], '--port must be an integer'],
    [['--port', '--host', 'x'], '--port needs a value'],
    [['--verbose'], 'unknown argument: --verbose'],
    [['8080'], 'unknown argument: 8080'],
  ])('rejects %j', (argv, message) => {
    const parsed = parseCliArgs(argv);
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' && parsed.message).toContain(message);
  });

  it('recognises --help', () => {
    expect(parseCliArgs(['--port', '1', '--help'])).toEqual({ kind: 'help' });
  });

  it('prints usage on stderr and exits 2 on bad arguments', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await expect(runCli(['--bogus'])).resolves.toBe(2);
      expect(error).toHaveBeenCalledWith(expect.stringContaining(CLI_USAGE));
    } finally {
      error.mockRestore();
    }
  });

  it('serves until SIGINT, then stops and exits 0', async () => {
    const lines: string[] = [];
    const log = jest.spyOn(console, 'log').mockImplementation((text: string) => void lines.push(text));
    try {
      const done = runCli(['--port', '0']);
      while (lines.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const url = /running at (http:\/\/\S+)/.exec(lines[0] ?? '')?.[1] ?? '';
      expect((await fetch(`${url}/v2/x/backuppolicy`)).status).toBe(401);

      process.emit('SIGINT', 'SIGINT');

      await expect(done).resolves.toBe(0);
      await expect(fetch(`${url}/v2/x/backuppolicy`)).rejects.toThrow();
      expect(lines.at(-1)).toBe('sandbox stopped');
    } finally {
      log.mockRestore();
    }
  });
});

describe('formatSandboxBanner', () => {
  let sandbox: Sandbox;
  let banner: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    banner = formatSandboxBanner(sandbox);
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('names the base URL, the IAM URL and every credential', () => {
    expect(banner).toContain(`running at ${sandbox.url}`);
    expect(banner).toContain(`${sandbox.url}/v3`);
    for (const value of Object.values(sandbox.credentials)) expect(banner).toContain(value);
  });

  it('shows the project and a policies table with schedule, retention, status and live volume count', () => {
    expect(banner).toMatch(/0123456789abcdef0123456789abcdef\s+sandbox\s+eu-de/);
    expect(banner).toMatch(/NAME\s+ID\s+SCHEDULE\s+RETENTION\s+STATUS\s+VOLUMES/);
    expect(banner).toMatch(
      /daily-7d\s+b1cb1816-7d85-457c-9f32-2a1422d00e17\s+every day at 02:00 UTC\s+7 backups\s+ON\s+2\n/,
    );
    expect(banner).toMatch(/db-hourly\s+\S+\s+every day at 00:00 UTC\s+24 backups\s+OFF\s+0\n/);

    sandbox.state.bindVolume(
      sandbox.projects[0]!.id,
      '0f187b65-8d0e-4fc0-9096-3b55d330531e',
      'e35fd989-b021-4ac8-8c31-76236de8809a',
    );
    expect(formatSandboxBanner(sandbox)).toMatch(/db-hourly\s+\S+\s+every day at 00:00 UTC\s+24 backups\s+OFF\s+1\n/);
    sandbox.state.unbindVolume(sandbox.projects[0]!.id, '0f187b65-8d0e-4fc0-9096-3b55d330531e');
  });

  it('shows a volumes table with AZ, size, status, attached server and policy', () => {
    expect(banner).toMatch(/NAME\s+ID\s+AZ\s+SIZE\s+STATUS\s+SERVER\s+POLICY/);
    expect(banner).toMatch(
      /db-data-1\s+0f187b65-8d0e-4fc0-9096-3b55d330531e\s+eu-de-01\s+500 GB SSD\s+in-use\s+db-01 \/dev\/vdb\s+-\n/,
    );
    expect(banner).toMatch(/db-log-1\s+\S+\s+eu-de-01\s+100 GB SSD\s+in-use\s+db-01 \/dev\/vdc\s+weekly-4w\n/);
    expect(banner).toMatch(/handover-data\s+\S+\s+eu-de-01\s+50 GB SATA\s+awaiting-transfer\s+-\s+-\n/);
  });

  it('names the ECS endpoint and shows a servers table with status and the volumes attached, boot disk first', () => {
    expect(banner).toContain(`ECS  ${sandbox.url}`);
    expect(banner).toMatch(
      /Servers in sandbox \(0123456789abcdef0123456789abcdef\)\n\s+NAME\s+ID\s+STATUS\s+VOLUMES ATTACHED\n/,
    );
    expect(banner).toMatch(/web-01\s+dde53f64-b9a5-4b5f-b3c1-8c1b55270a2c\s+ACTIVE\s+web-01-root, web-01-data\n/);
    expect(banner).toMatch(/db-01\s+\S+\s+ACTIVE\s+db-01-root, db-data-1, db-log-1\n/);
    expect(banner).toMatch(/hana-01\s+\S+\s+ACTIVE\s+sap-hana-data-1\n/);

    const project = sandbox.projects[0]!.id;
    const spare = sandbox.state.addServer(project, { name: 'spare-01', status: 'SHUTOFF' });
    expect(formatSandboxBanner(sandbox)).toMatch(new RegExp(`spare-01\\s+${spare.id}\\s+SHUTOFF\\s+-\\n`));
    sandbox.state.reset();
  });

  it('gives a YAML snippet the bot accepts as its configuration file', () => {
    const start = banner.indexOf('cloud:\n');
    const snippet = banner.slice(start, banner.indexOf('\n\n', start));
    const config = loadConfig(
      {
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: 's',
        OTC_USERNAME: 'sandbox-user',
        OTC_PASSWORD: 'sandbox-password',
        OTC_DOMAIN_NAME: 'sandbox-domain',
      },
      { readFile: () => `${snippet}\nrules: [{ name: all, everyone: true, decision: allow }]\n` },
    );
    expect(config.cloud.endpoints).toEqual({ vbs: sandbox.url, evs: sandbox.url, ecs: sandbox.url });
    expect(config.defaultProject.id).toBe('0123456789abcdef0123456789abcdef');
  });

  it('gives a cloud: YAML snippet, the environment and a curl example that point at the sandbox', () => {
    expect(banner).toContain(
      `cloud:\n  region: eu-de\n  auth_url: ${sandbox.url}/v3\n  endpoints: { vbs: '${sandbox.url}', evs: '${sandbox.url}', ecs: '${sandbox.url}' }\n`,
    );
    expect(banner).toContain(
      'projects:\n  - { name: sandbox, id: 0123456789abcdef0123456789abcdef, region: eu-de, default: true }\n',
    );
    expect(banner).toContain(
      "export OTC_USERNAME='sandbox-user' OTC_PASSWORD='sandbox-password' OTC_DOMAIN_NAME='sandbox-domain'",
    );
    expect(banner).toContain(`curl -s -o /dev/null -D - -X POST ${sandbox.url}/v3/auth/tokens`);
    expect(banner).toContain(
      `curl -s -H "X-Auth-Token: $TOKEN" ${sandbox.url}/v2/0123456789abcdef0123456789abcdef/backuppolicy`,
    );
  });
});
