import { asPolicyId } from '../../src/domain/ids';
import { OtcAuthError, OtcHttpError, OtcNetworkError } from '../../src/otc/errors';
import { signRequest } from '../../src/otc/signer';
import {
  ACCESS_KEY,
  ASSOCIATE_PATH,
  buildClient,
  useMockAgent,
  headerOf,
  IAM,
  makeVolumeIds,
  mockTokenIssue,
  PASSWORD,
  POLICIES_PATH,
  PROJECT,
  SECRET_KEY,
  TOKEN,
  TOKEN_PATH,
  VBS,
} from './helpers';
import type { RecordingLogger } from './helpers';

const agent = useMockAgent();
/** Signatures the mocked cloud saw; they must not show up anywhere either. */
let signatures: string[];

beforeEach(() => {
  signatures = [];
});

/** Every place a secret could leak from an error: text, JSON, cause, stack, and the logger. */
function everythingVisible(error: unknown, logger: RecordingLogger): string[] {
  // Not always an Error: a chunk report is a plain object whose message may be missing.
  const e = error as { message?: string; stack?: string; cause?: unknown };
  const cause = e.cause as Error | undefined;
  return [
    String(error),
    e.message ?? '',
    e.stack ?? '',
    JSON.stringify(e),
    String(cause),
    cause === undefined ? '' : JSON.stringify(cause, Object.getOwnPropertyNames(cause)),
    JSON.stringify(logger.calls),
  ];
}

function expectNoSecrets(error: unknown, logger: RecordingLogger, extra: readonly string[] = []): void {
  const secrets = [PASSWORD, TOKEN, SECRET_KEY, ACCESS_KEY, ...signatures, ...extra];
  for (const text of everythingVisible(error, logger)) {
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
}

/** A cloud that echoes back what it was sent (and the client's own secrets): the worst case for leaks. */
function echo(opts: { headers?: unknown }, ...ownSecrets: string[]): string {
  const authorization = headerOf(opts, 'authorization');
  const signature = authorization === undefined ? undefined : /Signature=([0-9a-f]+)/.exec(authorization)?.[1];
  if (signature !== undefined) signatures.push(signature);
  return [
    `bad request; X-Auth-Token: ${headerOf(opts, 'x-auth-token') ?? ''}`,
    `token ${headerOf(opts, 'x-auth-token') ?? ''}`,
    `Authorization: ${authorization ?? ''}`,
    `signature ${signature ?? ''}`,
    `own secrets ${ownSecrets.join(' ')}`,
  ].join(' | ');
}

describe('password credentials: nothing secret in errors or logs', () => {
  it('IAM refusing the password (echoed in its error body)', async () => {
    agent
      .get(IAM)
      .intercept({ path: TOKEN_PATH, method: 'POST' })
      .reply(401, { error: { code: 401, message: `password ${PASSWORD} is wrong`, title: 'Unauthorized' } });
    const { client, logger } = buildClient(agent);
    const error = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcAuthError);
    expectNoSecrets(error, logger);
  });

  it('IAM answering 400 with the request body echoed', async () => {
    agent
      .get(IAM)
      .intercept({ path: TOKEN_PATH, method: 'POST' })
      .reply((opts) => ({
        statusCode: 400,
        data: { error: { code: 400, message: `invalid body ${typeof opts.body === 'string' ? opts.body : ''}` } },
      }));
    const { client, logger } = buildClient(agent);
    const error = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcHttpError);
    expect((error as OtcHttpError).otcMessage).toContain('invalid body');
    expectNoSecrets(error, logger);
  });

  it('VBS echoing the token in a 500 that is retried until it gives up', async () => {
    mockTokenIssue(agent);
    agent
      .get(VBS)
      .intercept({ path: POLICIES_PATH, method: 'GET' })
      .reply((opts) => ({ statusCode: 500, data: { error: { code: 'VBS.500', message: echo(opts, PASSWORD) } } }))
      .times(4);
    const { client, logger } = buildClient(agent);
    const error = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 500, attempts: 4 });
    expectNoSecrets(error, logger);
  });

  it('a network error whose message carries the token, and the chunk report built from it', async () => {
    mockTokenIssue(agent);
    const boom = Object.assign(new Error(`socket hang up, sent X-Auth-Token: ${TOKEN} / ${TOKEN}`), {
      code: 'UND_ERR_SOCKET',
    });
    agent.get(VBS).intercept({ path: ASSOCIATE_PATH, method: 'POST' }).replyWithError(boom).times(4);
    const { client, logger } = buildClient(agent);
    const result = await client.associate(PROJECT, asPolicyId('p'), makeVolumeIds(1));
    expect(result.failed[0]).toMatchObject({ code: 'OTC_NETWORK' });
    expect(result.chunks[0]!.error).toMatchObject({
      code: 'OTC_NETWORK',
      message: expect.stringContaining('socket closed'),
    });
    expectNoSecrets(result, logger);
  });

  it('a second 401 after the token refresh', async () => {
    mockTokenIssue(agent);
    mockTokenIssue(agent);
    agent
      .get(VBS)
      .intercept({ path: POLICIES_PATH, method: 'GET' })
      .reply((opts) => ({
        statusCode: 401,
        data: { error: { code: 'AutoBackup.0003', message: echo(opts, PASSWORD) } },
      }))
      .times(2);
    const { client, logger } = buildClient(agent);
    const error = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcAuthError);
    expectNoSecrets(error, logger);
  });
});

describe('AK/SK credentials: nothing secret in errors or logs', () => {
  const aksk = { credentials: { kind: 'aksk', accessKey: ACCESS_KEY, secretKey: SECRET_KEY } } as const;

  it('a 401 echoing the Authorization header and the keys', async () => {
    agent
      .get(VBS)
      .intercept({ path: POLICIES_PATH, method: 'GET' })
      .reply((opts) => ({
        statusCode: 401,
        data: { error_code: 'APIGW.0301', error_msg: echo(opts, SECRET_KEY, ACCESS_KEY) },
      }));
    const { client, logger } = buildClient(agent, aksk);
    const error = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcAuthError);
    expect(signatures).toHaveLength(1);
    expectNoSecrets(error, logger);
  });

  it('a 400 echoing the signature (kept as otcMessage, scrubbed)', async () => {
    agent
      .get(VBS)
      .intercept({ path: POLICIES_PATH, method: 'GET' })
      .reply((opts) => ({
        statusCode: 400,
        data: { error: { code: 'AutoBackup.1400', message: echo(opts, SECRET_KEY, ACCESS_KEY) } },
      }));
    const { client, logger } = buildClient(agent, aksk);
    const error = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcHttpError);
    expect((error as OtcHttpError).otcMessage).toContain('[redacted]');
    expectNoSecrets(error, logger);
  });

  it('a network error carrying the Authorization header in its message and cause', async () => {
    const { client, logger, clock } = buildClient(agent, { ...aksk, retry: { maxAttempts: 1 } });
    // The signature the client will compute (the fake clock fixes the date), echoed bare and in a header line.
    const { authorization } = signRequest(
      {
        method: 'GET',
        path: POLICIES_PATH,
        query: [],
        headers: { host: 'vbs.eu-de.otc.t-systems.com', 'x-project-id': PROJECT.id },
        body: '',
      },
      { accessKey: ACCESS_KEY, secretKey: SECRET_KEY },
      { flavour: 'credential', date: new Date(clock.now()) },
    );
    const signature = /Signature=([0-9a-f]+)/.exec(authorization)![1]!;
    const leak = `reset; Authorization: ${authorization}; sig ${signature}; sk ${SECRET_KEY}; ak ${ACCESS_KEY}`;
    agent
      .get(VBS)
      .intercept({ path: POLICIES_PATH, method: 'GET' })
      .replyWithError(Object.assign(new Error(leak), { code: 'ECONNRESET' }));
    const error = await client.listTargets(PROJECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtcNetworkError);
    expect(String((error as Error).cause)).toContain('reset;');
    expectNoSecrets(error, logger, [signature]);
  });
});
