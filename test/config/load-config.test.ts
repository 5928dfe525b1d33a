import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error';
import { loadConfig } from '../../src/config/load-config';

const EXAMPLE = readFileSync(join(__dirname, '..', '..', 'backup-bot.example.yml'), 'utf8');
const SECRET = 'xoxb-1111-2222-supersecretvalue';

const baseEnv = {
  SLACK_BOT_TOKEN: SECRET,
  SLACK_SIGNING_SECRET: 'signing-secret-value',
  OTC_USERNAME: 'svc-backup',
  OTC_PASSWORD: 'hunter2-password',
  OTC_DOMAIN_NAME: 'OTC-EU-DE-000000000010000',
};

function load(env: Record<string, string | undefined>, yaml: string = EXAMPLE) {
  return loadConfig(env, { readFile: () => yaml });
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads the shipped example file with IAM password credentials in HTTP mode', () => {
    const config = load(baseEnv);
    expect(config.slack.mode).toBe('http');
    expect(config.slack.port).toBe(3000);
    expect(config.cloud.auth).toEqual({
      kind: 'password',
      username: 'svc-backup',
      password: 'hunter2-password',
      domainName: 'OTC-EU-DE-000000000010000',
    });
    expect(config.defaultProject).toMatchObject({
      name: 'prod',
      id: '0123456789abcdef0123456789abcdef',
      region: 'eu-de',
    });
    expect(config.access.rules.map((r) => r.name)).toEqual([
      'sre-oncall',
      'incident-self-service',
      'dba-approves-db-policies',
      'everyone-else-asks',
    ]);
    expect(config.access.rules[2]).toMatchObject({
      decision: 'require_approval',
      approvers: { usergroups: ['dba-leads'], users: [] },
      ttlMs: 2 * 3_600_000,
    });
    expect(config.approvals).toEqual({
      channel: 'C0APPROVALS',
      approvers: { usergroups: ['backup-admins'], users: ['U0123ABCD'] },
      ttlMs: 4 * 3_600_000,
      remindAfterMs: 30 * 60_000,
    });
    expect(config.execution).toEqual({
      runLeaseMs: 15_000,
      firstBackup: { firstLookMs: 30_000, graceAfterNowMs: 3_600_000, graceAfterScheduleMs: 7_200_000 },
    });
    expect(config.access.rules[1]).toMatchObject({
      channels: ['inc-*'],
      policies: ['daily-*'],
      maxVolumes: 10,
      decision: 'allow',
    });
    expect(config.access.allowedTeamIds).toBeUndefined();
    expect(config.limits.maxVolumesPerRequest).toBe(100);
    expect(config.cloud.chunkSize).toBe(20);
    expect(Object.isFrozen(config.access.rules[0])).toBe(true);
  });

  it('chooses Socket Mode when SLACK_APP_TOKEN is set, without a signing secret', () => {
    const config = load({ ...baseEnv, SLACK_SIGNING_SECRET: undefined, SLACK_APP_TOKEN: 'xapp-1-A1-xyz' });
    expect(config.slack.mode).toBe('socket');
  });

  it('chooses AK/SK credentials when those are set', () => {
    const env = { SLACK_BOT_TOKEN: SECRET, SLACK_SIGNING_SECRET: 's', OTC_ACCESS_KEY: 'AK1', OTC_SECRET_KEY: 'SK1' };
    expect(load(env).cloud.auth).toEqual({ kind: 'aksk', accessKey: 'AK1', secretKey: 'SK1' });
  });

  it('needs no cloud credentials in sandbox mode', () => {
    const yaml = EXAMPLE.replace('sandbox: false', 'sandbox: true');
    const config = load({ SLACK_BOT_TOKEN: SECRET, SLACK_SIGNING_SECRET: 's' }, yaml);
    expect(config.cloud.auth).toEqual({ kind: 'sandbox' });
  });

  it('takes PORT, SLACK_API_URL, LOG_LEVEL, the proxy and BACKUP_BOT_CONFIG from the environment', () => {
    const paths: string[] = [];
    const config = loadConfig(
      {
        ...baseEnv,
        PORT: '8080',
        SLACK_API_URL: 'http://127.0.0.1:9999/api/',
        LOG_LEVEL: 'DEBUG',
        https_proxy: 'http://proxy:3128',
        NO_PROXY: 'localhost',
        BACKUP_BOT_CONFIG: '/etc/bot.yml',
      },
      { readFile: (p) => (paths.push(p), EXAMPLE) },
    );
    expect(paths).toEqual(['/etc/bot.yml']);
    expect(config).toMatchObject({ logLevel: 'debug', slack: { port: 8080, apiUrl: 'http://127.0.0.1:9999/api/' } });
    expect(config.proxy).toEqual({ httpsProxy: 'http://proxy:3128', httpProxy: undefined, noProxy: 'localhost' });
  });

  it('reads the lower-case proxy names first when both cases are set, as curl and undici do', () => {
    const config = loadConfig(
      {
        ...baseEnv,
        HTTPS_PROXY: 'http://upper:3128',
        https_proxy: 'http://lower:3128',
        HTTP_PROXY: 'http://upper:3128',
        http_proxy: 'http://lower:3128',
        NO_PROXY: 'upper.example',
        no_proxy: 'lower.example',
      },
      { readFile: () => EXAMPLE },
    );
    expect(config.proxy).toEqual({
      httpsProxy: 'http://lower:3128',
      httpProxy: 'http://lower:3128',
      noProxy: 'lower.example',
    });
  });

  it('lists every wrong key path at once and never a secret value', () => {
    const yaml = `
slack: { allowed_team_ids: [nope] }
cloud: { region: eu-de, sandbox: maybe, endpoints: { vbs: 'ftp://x' } }
projects:
  - { name: prod, id: not-hex }
  - { name: prod, id: 0123456789abcdef0123456789abcdef }
limits: { max_volumes_per_request: 0 }
rules:
  - { name: r1, usergroup: [sre], decision: allow }
  - { name: r2, decision: allow }
  - { name: r3, everyone: true, decision: maybe }
  - { name: r4, projects: [staging], decision: allow }
`;
    const problems = problemsOf(() =>
      load({ ...baseEnv, SLACK_BOT_TOKEN: 'xoxp-user-token-secret', PORT: 'eighty' }, yaml),
    );
    const paths = problems.map((p) => p.split(': ')[0]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'SLACK_BOT_TOKEN',
        'PORT',
        'slack.allowed_team_ids.0',
        'cloud.sandbox',
        'cloud.endpoints.vbs',
        'projects.0.id',
        'limits.max_volumes_per_request',
        'rules.0',
        'rules.1',
        'rules.2.decision',
      ]),
    );
    expect(problems.find((p) => p.startsWith('rules.0:'))).toMatch(/usergroup/);
    const text = problems.join('\n');
    expect(text).not.toContain('xoxp-user-token-secret');
    expect(text).not.toContain('hunter2-password');
  });

  it('rejects duplicate project and rule names and two default projects', () => {
    const yaml = `
cloud: { region: eu-de }
projects:
  - { name: prod, id: 0123456789abcdef0123456789abcdef, default: true }
  - { name: prod, id: 0123456789abcdef0123456789abcdee, default: true }
rules:
  - { name: r, everyone: true, decision: allow }
  - { name: r, everyone: true, decision: deny }
  - { name: r4, projects: [staging], decision: allow }
`;
    expect(problemsOf(() => load(baseEnv, yaml))).toEqual([
      'projects.1: duplicate project name',
      'rules.1: duplicate rule name',
      'rules.2.projects.0: names no project under projects',
      'projects: at most one project may be the default',
    ]);
  });

  it('checks the approvals block and the rules that need it', () => {
    const base = `
cloud: { region: eu-de }
projects: [{ name: prod, id: 0123456789abcdef0123456789abcdef }]
`;
    expect(
      problemsOf(() => load(baseEnv, `${base}rules: [{ name: r, everyone: true, decision: require_approval }]`)),
    ).toEqual(['rules.0.decision: require_approval needs an approvals: block (channel, approvers)']);
    const approvals = (block: string) =>
      `${base}approvals: ${block}\nrules: [{ name: r, everyone: true, decision: allow, ttl: 2h }]`;
    const problems = problemsOf(() =>
      load(baseEnv, approvals('{ channel: general, approvers: {}, ttl: 4x, remind_after: 5h }')),
    );
    expect(problems.map((p) => p.split(': ')[0])).toEqual(
      expect.arrayContaining(['approvals.channel', 'approvals.approvers', 'approvals.ttl', 'rules.0']),
    );
    expect(
      problemsOf(() =>
        load(
          baseEnv,
          `${base}approvals: { channel: C0APPROVALS, approvers: { users: [U1] }, ttl: 1h, remind_after: 2h }`,
        ),
      ),
    ).toEqual(['approvals.remind_after: remind_after must be shorter than ttl']);
  });

  it('lists cross-variable problems together with file problems, and checks proxy URLs', () => {
    const problems = problemsOf(() => load({ SLACK_BOT_TOKEN: SECRET }, 'cloud: { region: eu-de }\nprojects: []\n'));
    expect(problems.map((p) => p.split(': ')[0])).toEqual(['projects', 'SLACK_SIGNING_SECRET', 'OTC_USERNAME']);
    const proxy = problemsOf(() => load({ ...baseEnv, HTTPS_PROXY: 'proxy.corp:3128' }));
    expect(proxy).toEqual(['HTTPS_PROXY: must be a proxy URL like http://proxy:3128']);
  });

  it('requires the signing secret in HTTP mode', () => {
    expect(problemsOf(() => load({ ...baseEnv, SLACK_SIGNING_SECRET: '' }))).toEqual([
      expect.stringMatching(/^SLACK_SIGNING_SECRET: required in HTTP mode/),
    ]);
  });

  it('requires cloud credentials outside sandbox mode and names the missing ones', () => {
    expect(problemsOf(() => load({ SLACK_BOT_TOKEN: SECRET, SLACK_SIGNING_SECRET: 's' }))[0]).toMatch(
      /cloud credentials are required/,
    );
    expect(problemsOf(() => load({ ...baseEnv, OTC_DOMAIN_NAME: undefined }))).toEqual([
      expect.stringMatching(/^OTC_DOMAIN_NAME: required/),
    ]);
    expect(problemsOf(() => load({ ...baseEnv, OTC_ACCESS_KEY: 'AK' }))[0]).toMatch(/not both/);
  });

  it('reports an unreadable file and invalid YAML by path', () => {
    const missing = () =>
      loadConfig(baseEnv, {
        readFile: () => {
          throw Object.assign(new Error('nope'), { code: 'ENOENT' });
        },
      });
    expect(problemsOf(missing)[0]).toMatch(/^BACKUP_BOT_CONFIG: cannot read \.\/backup-bot\.yml \(ENOENT\)/);
    expect(problemsOf(() => load(baseEnv, 'rules: [\n  - {'))[0]).toMatch(/not valid YAML at line/);
  });

  it('exposes the wrong paths on the error', () => {
    try {
      load({ ...baseEnv, PORT: '99999' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).paths).toEqual(['PORT']);
    }
  });
});

describe('execution.first_backup', () => {
  it('reads how the first-backup watch paces itself', () => {
    const yaml = `
cloud: { region: eu-de }
projects:
  - { name: prod, id: 0123456789abcdef0123456789abcdef }
execution:
  first_backup: { first_look: 2s, grace_after_now: 10m, grace_after_schedule: 3h }
`;
    const config = loadConfig(
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', OTC_ACCESS_KEY: 'a', OTC_SECRET_KEY: 'b' },
      { readFile: () => yaml },
    );
    expect(config.execution.firstBackup).toEqual({
      firstLookMs: 2_000,
      graceAfterNowMs: 600_000,
      graceAfterScheduleMs: 10_800_000,
    });
  });
});
