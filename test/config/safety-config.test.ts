import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/config-error';
import type { Config } from '../../src/config/load-config';
import { loadConfig } from '../../src/config/load-config';

const EXAMPLE = readFileSync(join(__dirname, '..', '..', 'backup-bot.example.yml'), 'utf8');
const SANDBOX = EXAMPLE.replace('sandbox: false', 'sandbox: true');
const SECRET_KEY = 'sk-must-never-be-echoed-0123456789';
const PASSWORD = 'password-must-never-be-echoed';
const AKSK = { OTC_ACCESS_KEY: 'AK-EXAMPLE', OTC_SECRET_KEY: SECRET_KEY };

function load(env: Record<string, string>, yaml: string): Config {
  return loadConfig({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 's', ...env }, { readFile: () => yaml });
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('slack.allowed_team_ids', () => {
  it('is left out of the shipped example (the bot then serves its token’s workspace)', () => {
    expect(EXAMPLE).not.toMatch(/^ *allowed_team_ids:/m);
    expect(load(AKSK, EXAMPLE).access.allowedTeamIds).toBeUndefined();
  });

  it('reads the listed team ids when set', () => {
    const yaml = `${EXAMPLE}\nslack:\n  allowed_team_ids: [T0REAL0001]\n`;
    expect(load(AKSK, yaml).access.allowedTeamIds).toEqual(['T0REAL0001']);
  });

  it('refuses an empty list at start, naming the key: it would read as "every workspace"', () => {
    const error = errorOf(() => load(AKSK, `${EXAMPLE}\nslack:\n  allowed_team_ids: []\n`));
    expect(error.paths).toEqual(['slack.allowed_team_ids']);
  });
});

describe('limits.requests_per_user_per_minute', () => {
  it('defaults to 10', () => {
    expect(load(AKSK, EXAMPLE.replace(/^limits:\n(\s+.*\n)+/m, '')).limits.requestsPerUserPerMinute).toBe(10);
  });

  it('reads the configured number and refuses one below 1', () => {
    const set = (n: number) =>
      EXAMPLE.replace(/^limits:\n/m, `limits:\n  requests_per_user_per_minute: ${n}\n`).replace(
        /^ +requests_per_user_per_minute: 10\n/m,
        '',
      );
    expect(load(AKSK, set(30)).limits.requestsPerUserPerMinute).toBe(30);
    expect(errorOf(() => load(AKSK, set(0))).paths).toEqual(['limits.requests_per_user_per_minute']);
  });
});

describe('a sandbox bot with real cloud credentials set', () => {
  it('refuses to start, naming each variable set and never its value', () => {
    const error = errorOf(() => load({ ...AKSK, OTC_USERNAME: 'svc', OTC_PASSWORD: PASSWORD }, SANDBOX));
    expect(error.paths).toEqual(
      expect.arrayContaining(['OTC_USERNAME', 'OTC_PASSWORD', 'OTC_ACCESS_KEY', 'OTC_SECRET_KEY']),
    );
    expect(error.problems.join('\n')).toMatch(/cloud\.sandbox/);
    for (const text of [error.message, ...error.problems]) {
      expect(text).not.toContain(SECRET_KEY);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('AK-EXAMPLE');
    }
  });

  it('refuses one variable alone too', () => {
    expect(errorOf(() => load({ OTC_PASSWORD: PASSWORD }, SANDBOX)).paths).toContain('OTC_PASSWORD');
  });

  it('still starts a sandbox bot without credentials', () => {
    expect(load({}, SANDBOX).cloud.auth).toEqual({ kind: 'sandbox' });
  });
});
