import { BotError, isBotError } from '../../src/domain/bot-error';
import { ConfigError } from '../../src/config/config-error';
import { OtcAuthError, OtcError, OtcHttpError, OtcNetworkError, OtcResponseShapeError } from '../../src/otc/errors';
import { StoreUnavailableError } from '../../src/store/request-store';

const SLACK_TOKEN = 'xoxb-1111-2222-SeCrEtSeCrEt';
const IAM_TOKEN = 'MIIEhQYJKoZIhvcNAQcCoIIEdjCCBHICAQExDTALBglghkgBZQMEAgEwggJX';
const DB_PASSWORD = 'pw-hunter2';

const site = { method: 'POST', path: '/v2/p1/backuppolicyresources' };

/** A driver or fetch error as it arrives: secrets in its message, request options hanging off it. */
function leakyCause(): Error {
  return Object.assign(new TypeError(`connect failed for postgres://bot:${DB_PASSWORD}@db:5432 with ${SLACK_TOKEN}`), {
    code: 'ECONNREFUSED',
    options: { headers: { 'X-Auth-Token': IAM_TOKEN } },
  });
}

interface Case {
  readonly build: () => BotError;
  readonly code: string;
  /** The class and its ancestors (some abstract, with protected constructors). */
  readonly chain: readonly { readonly name: string; readonly prototype: Error }[];
  /** Whether the constructor takes a cause, so the cause's scrubbing can be checked too. */
  readonly withCause: boolean;
}

const cases: ReadonlyArray<readonly [string, Case]> = [
  [
    'OtcHttpError',
    {
      build: () =>
        new OtcHttpError({
          site,
          status: 401,
          otcCode: 'APIGW.0301',
          otcMessage: `token ${SLACK_TOKEN} rejected; "x-auth-token": "${IAM_TOKEN}"`,
        }),
      code: 'OTC_HTTP',
      chain: [OtcHttpError, OtcError, BotError, Error],
      withCause: false,
    },
  ],
  [
    'OtcNetworkError',
    {
      build: () => new OtcNetworkError(site, `socket hang up (${SLACK_TOKEN})`, leakyCause()),
      code: 'OTC_NETWORK',
      chain: [OtcNetworkError, OtcError, BotError, Error],
      withCause: true,
    },
  ],
  [
    'OtcResponseShapeError',
    {
      build: () => new OtcResponseShapeError(site, 200, [`token: expected object, got "${SLACK_TOKEN}"`]),
      code: 'OTC_RESPONSE_SHAPE',
      chain: [OtcResponseShapeError, OtcError, BotError, Error],
      withCause: false,
    },
  ],
  [
    'OtcAuthError',
    {
      build: () => new OtcAuthError(site, 401, `X-Subject-Token: ${IAM_TOKEN} expired`),
      code: 'OTC_AUTH',
      chain: [OtcAuthError, OtcError, BotError, Error],
      withCause: false,
    },
  ],
  [
    'ConfigError',
    {
      build: () => new ConfigError([`SLACK_BOT_TOKEN: must start with xoxb-, got ${SLACK_TOKEN}`]),
      code: 'CONFIG_INVALID',
      chain: [ConfigError, BotError, Error],
      withCause: false,
    },
  ],
  [
    'StoreUnavailableError',
    {
      build: () =>
        new StoreUnavailableError(`PostgreSQL store unavailable at postgres://bot:${DB_PASSWORD}@db`, leakyCause()),
      code: 'STORE_UNAVAILABLE',
      chain: [StoreUnavailableError, BotError, Error],
      withCause: true,
    },
  ],
];

/** Everything a logger or a careless JSON.stringify could print of an error and its cause. */
function visibleText(error: Error): string {
  const cause: unknown = error.cause;
  return [
    String(error),
    error.stack ?? '',
    JSON.stringify(error),
    cause instanceof Error ? JSON.stringify(cause, Object.getOwnPropertyNames(cause)) : '',
  ].join('\n');
}

describe.each(cases)('%s', (name, { build, code, chain, withCause }) => {
  it('masks the tokens and passwords it was given, in its message and its cause', () => {
    const error = build();
    const text = visibleText(error);
    for (const secret of [SLACK_TOKEN, IAM_TOKEN, DB_PASSWORD]) expect(text).not.toContain(secret);
    expect(error.message).toContain('[redacted]');
  });

  it(`has the stable code ${code} and its own class name`, () => {
    const error = build();
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(String(error)).toMatch(new RegExp(`^${name}: `));
  });

  it(`is a ${chain.map((c) => c.name).join(' < ')}`, () => {
    const error = build();
    for (const cls of chain) expect(error).toBeInstanceOf(cls);
    expect(isBotError(error)).toBe(true);
  });

  it('has a sentence for people that names no secret and no stack', () => {
    const sentence = build().userSafeSentence();
    expect(sentence).toMatch(/^[A-Z].*\.$/);
    for (const secret of [SLACK_TOKEN, IAM_TOKEN, DB_PASSWORD]) expect(sentence).not.toContain(secret);
    expect(sentence).not.toMatch(/\n\s+at /);
  });

  if (withCause) {
    it("keeps the cause's class and code but not the object, nor what hangs off it", () => {
      const error = build();
      expect(error.cause).toBeInstanceOf(Error);
      expect(error.cause).toMatchObject({
        name: 'TypeError',
        code: 'ECONNREFUSED',
        message: expect.stringContaining('postgres://bot:[redacted]@db:5432'),
      });
      expect(error.cause).not.toHaveProperty('options');
    });
  }
});

describe('BotError causes', () => {
  it('drops a cause that is not an Error instead of keeping a string or body that may hold a secret', () => {
    const error = new StoreUnavailableError('SQLite store unavailable (closed)', `token ${SLACK_TOKEN}`);
    expect('cause' in error).toBe(false);
  });

  it('has no cause at all when none was given', () => {
    expect('cause' in new StoreUnavailableError('SQLite store unavailable (closed)')).toBe(false);
  });
});

describe('isBotError', () => {
  it.each([
    ['a plain Error', new Error('boom')],
    ['an Error with a code', Object.assign(new Error('reset'), { code: 'ECONNRESET' })],
    ['a string', 'STORE_UNAVAILABLE'],
    ['an object shaped like one', { name: 'StoreUnavailableError', code: 'STORE_UNAVAILABLE', message: 'x' }],
  ])('is false for %s', (_label, value) => {
    expect(isBotError(value)).toBe(false);
  });
});
