import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error';
import { cloudAuthSchema, configSchema, slackConfigSchema } from '../../src/config/config-schema';
import type { CloudAuth, Config, SlackConfig } from '../../src/config/load-config';
import { loadConfig } from '../../src/config/load-config';

const EXAMPLE = readFileSync(join(__dirname, '..', '..', 'backup-bot.example.yml'), 'utf8');
const SANDBOX = EXAMPLE.replace('sandbox: false', 'sandbox: true');
const BOT_TOKEN = 'xoxb-1111-2222-supersecretvalue';
const PASSWORD_ENV = { OTC_USERNAME: 'svc-backup', OTC_PASSWORD: 'hunter2', OTC_DOMAIN_NAME: 'OTC-EU-DE-1' };
const AKSK_ENV = { OTC_ACCESS_KEY: 'AK1', OTC_SECRET_KEY: 'SK1' };

function load(env: Record<string, string | undefined>, yaml: string = EXAMPLE): Config {
  return loadConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, ...env }, { readFile: () => yaml });
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

describe('the Slack mode is one of two shapes', () => {
  it('Socket Mode carries the app token and no signing secret, even when one is set', () => {
    const config = load({ SLACK_APP_TOKEN: 'xapp-1-A1-xyz', SLACK_SIGNING_SECRET: 'also-set', ...PASSWORD_ENV });
    expect(config.slack).toStrictEqual({
      mode: 'socket',
      botToken: BOT_TOKEN,
      apiUrl: undefined,
      port: 3000,
      appToken: 'xapp-1-A1-xyz',
    });
  });

  it('HTTP mode carries the signing secret and no app token', () => {
    const config = load({ SLACK_SIGNING_SECRET: 'signing-secret', ...PASSWORD_ENV });
    expect(config.slack.mode).toBe('http');
    expect(config.slack).toMatchObject({ signingSecret: 'signing-secret' });
    expect(config.slack).not.toHaveProperty('appToken');
  });

  it('refuses HTTP mode without a signing secret and Socket Mode without an app token', () => {
    const common = { botToken: BOT_TOKEN, port: 3000 };
    const paths = (value: unknown) => slackConfigSchema.safeParse(value).error?.issues.map((i) => i.path.join('.'));
    expect(paths({ mode: 'http', ...common })).toEqual(['signingSecret']);
    expect(paths({ mode: 'socket', ...common })).toEqual(['appToken']);
    expect(paths({ mode: 'socket', ...common, appToken: 'xapp-1' })).toBeUndefined();
  });

  it('lets the compiler reach a mode’s secret only after asking for the mode', () => {
    const slack: SlackConfig = load({ SLACK_SIGNING_SECRET: 's', ...PASSWORD_ENV }).slack;
    // @ts-expect-error: the signing secret exists in HTTP mode only
    expect(slack.signingSecret).toBe('s');
    expect(slack.mode === 'http' ? slack.signingSecret : slack.appToken).toBe('s');
    // @ts-expect-error: HTTP mode without its signing secret is not a SlackConfig
    const withoutSecret: SlackConfig = { mode: 'http', botToken: BOT_TOKEN, port: 3000 };
    expect(withoutSecret.mode).toBe('http');
  });
});

describe('the cloud auth is the sandbox or a real cloud with its credentials', () => {
  it('parses IAM password credentials', () => {
    expect(load({ SLACK_SIGNING_SECRET: 's', ...PASSWORD_ENV }).cloud.auth).toStrictEqual({
      kind: 'password',
      username: 'svc-backup',
      password: 'hunter2',
      domainName: 'OTC-EU-DE-1',
    });
  });

  it('parses an AK/SK pair', () => {
    expect(load({ SLACK_SIGNING_SECRET: 's', ...AKSK_ENV }).cloud.auth).toStrictEqual({
      kind: 'aksk',
      accessKey: 'AK1',
      secretKey: 'SK1',
    });
  });

  it('carries no credentials in sandbox mode', () => {
    expect(load({ SLACK_SIGNING_SECRET: 's' }, SANDBOX).cloud.auth).toStrictEqual({ kind: 'sandbox' });
  });

  it('refuses sandbox mode with any credential variable set, a half-set pair too', () => {
    expect(problemsOf(() => load({ SLACK_SIGNING_SECRET: 's', OTC_ACCESS_KEY: 'AK1' }, SANDBOX))).toEqual([
      'OTC_ACCESS_KEY: must not be set while cloud.sandbox is true (the sandbox never uses real credentials)',
    ]);
  });

  it('refuses credentials without their kind and a real cloud without credentials', () => {
    expect(cloudAuthSchema.safeParse({ kind: 'sandbox' }).success).toBe(true);
    expect(cloudAuthSchema.safeParse({ kind: 'password', username: 'u' }).success).toBe(false);
    expect(cloudAuthSchema.safeParse({ accessKey: 'AK1', secretKey: 'SK1' }).success).toBe(false);
    // @ts-expect-error: a password auth without its password and domain is not a CloudAuth
    const incomplete: CloudAuth = { kind: 'password', username: 'u' };
    expect(incomplete.kind).toBe('password');
  });
});

describe('the parsed config', () => {
  it('is frozen all the way down, the unions and the domain-typed parts too', () => {
    const config = load({ SLACK_APP_TOKEN: 'xapp-1-A1-xyz', ...AKSK_ENV });
    for (const part of [config, config.slack, config.cloud.auth, config.projects, config.defaultProject])
      expect(Object.isFrozen(part)).toBe(true);
    expect(Object.isFrozen(config.access.rules[2]?.approvers?.usergroups)).toBe(true);
    expect(Object.isFrozen(config.approvals?.approvers)).toBe(true);
  });

  it('names as default project the entry of projects marked so, else the first', () => {
    const config = load({ SLACK_SIGNING_SECRET: 's', ...AKSK_ENV });
    expect(config.projects).toContain(config.defaultProject);
    const two = EXAMPLE.replace(
      /^projects:\n.*$/m,
      'projects:\n  - { name: a, id: 0123456789abcdef0123456789abcdef }\n  - { name: b, id: 0123456789abcdef0123456789abcdee }',
    );
    expect(load({ SLACK_SIGNING_SECRET: 's', ...AKSK_ENV }, two).defaultProject.name).toBe('a');
  });

  it('is refused by the schema when no project is the default', () => {
    const config = load({ SLACK_SIGNING_SECRET: 's', ...AKSK_ENV });
    const result = configSchema.safeParse({
      ...config,
      projects: config.projects.map((p) => ({ ...p, isDefault: false })),
    });
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'projects: one project must be the default',
    ]);
  });
});
