import { z } from 'zod';
import { OtcHttpError, OtcNetworkError, OtcResponseShapeError } from '../../src/otc/errors';
import { createHttpCore } from '../../src/otc/http';
import type { HttpCore } from '../../src/otc/http';
import { resolveRetryPolicy } from '../../src/otc/retry-policy';
import type { RetryPolicy } from '../../src/otc/retry-policy';
import { createFakeClock, useMockAgent, createRecordingLogger, readFixture, VBS } from './helpers';
import type { FakeClock, RecordingLogger } from './helpers';

const PATH = '/v2/p1/backuppolicy';
const url = new URL(`${VBS}${PATH}`);
const schema = z.object({ ok: z.boolean() });

const agent = useMockAgent();
let clock: FakeClock;
let logger: RecordingLogger;

function core(retry?: Partial<RetryPolicy>): HttpCore {
  return createHttpCore({
    dispatcher: agent,
    retry: resolveRetryPolicy(retry),
    responseTimeoutMs: 30_000,
    clock,
    random: () => 0.5,
    logger,
  });
}

function reply(status: number, body: string | object, headers: Record<string, string> = {}): void {
  agent.get(VBS).intercept({ path: PATH, method: 'GET' }).reply(status, body, { headers });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
}

beforeEach(() => {
  clock = createFakeClock();
  logger = createRecordingLogger();
});

describe('the call loop', () => {
  it('succeeds on the third send after 503, 503, waiting the jittered backoff between', async () => {
    reply(503, '');
    reply(503, '');
    reply(200, { ok: true });
    const result = await core().call({ method: 'GET', url, schema });
    expect(result.value).toEqual({ ok: true });
    expect(result.attempts).toBe(3);
    expect(clock.sleeps).toEqual([125, 250]);
  });

  it('waits the Retry-After of a 429 (2 s) before the next send', async () => {
    reply(429, '', { 'retry-after': '2' });
    reply(200, { ok: true });
    const result = await core().call({ method: 'GET', url, schema });
    expect(result.attempts).toBe(2);
    expect(clock.sleeps).toEqual([2000]);
  });

  it.each([400, 403, 404])('does not retry HTTP %i', async (status) => {
    reply(status, readFixture('vbs_error_response.docs.json'));
    const error = await failure(core().call({ method: 'GET', url, schema }));
    expect(error).toBeInstanceOf(OtcHttpError);
    expect(error).toMatchObject({ status, attempts: 1, otcCode: 'XXXX', otcMessage: 'XXX' });
    expect(clock.sleeps).toEqual([]);
  });

  it('surfaces the last error with its attempt count when attempts run out', async () => {
    for (let i = 0; i < 4; i += 1) reply(502, '');
    const error = await failure(core().call({ method: 'GET', url, schema }));
    expect(error).toBeInstanceOf(OtcHttpError);
    expect(error).toMatchObject({ status: 502, attempts: 4 });
    expect(clock.sleeps).toHaveLength(3);
  });

  it('stops when the time budget would be passed, with the attempts made so far', async () => {
    reply(429, '', { 'retry-after': '20' });
    reply(429, '', { 'retry-after': '20' });
    const error = await failure(core().call({ method: 'GET', url, schema }));
    expect(error).toMatchObject({ status: 429, attempts: 2, retryAfterMs: 20000 });
    expect(clock.sleeps).toEqual([20000]);
  });

  it('retries a network error and reports it as OtcNetworkError with a short reason', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    agent.get(VBS).intercept({ path: PATH, method: 'GET' }).replyWithError(reset).times(2);
    const error = await failure(core({ maxAttempts: 2 }).call({ method: 'GET', url, schema }));
    expect(error).toBeInstanceOf(OtcNetworkError);
    expect(error).toMatchObject({ code: 'OTC_NETWORK', reason: 'connection reset by peer', attempts: 2 });
  });

  it('stops waiting and reports "aborted by the caller" when the signal fires during a retry wait', async () => {
    reply(503, '');
    const controller = new AbortController();
    const aborting = createHttpCore({
      dispatcher: agent,
      retry: resolveRetryPolicy(undefined),
      responseTimeoutMs: 30_000,
      clock: {
        now: () => 0,
        sleep: () => {
          controller.abort();
          return Promise.reject(new Error('aborted'));
        },
      },
      random: () => 0.5,
      logger,
    });
    const error = await failure(aborting.call({ method: 'GET', url, schema, signal: controller.signal }));
    expect(error).toBeInstanceOf(OtcNetworkError);
    expect(error).toMatchObject({ reason: 'aborted by the caller', attempts: 1 });
  });

  it('logs method, path, status, attempt and request id, never headers or bodies', async () => {
    reply(503, '', { 'x-openstack-request-id': 'req-503' });
    reply(200, { ok: true }, { 'x-request-id': 'req-200' });
    await core().call({ method: 'GET', url, schema });
    const debug = logger.calls.filter((c) => c.message === 'otc call').map((c) => c.fields);
    expect(debug).toEqual([
      expect.objectContaining({ method: 'GET', path: PATH, status: 503, attempt: 1, otcRequestId: 'req-503' }),
      expect.objectContaining({ method: 'GET', path: PATH, status: 200, attempt: 2, otcRequestId: 'req-200' }),
    ]);
    expect(logger.calls.find((c) => c.level === 'warn')?.fields).toMatchObject({ delayMs: 125, status: 503 });
  });

  it('tells its onCall hook of every send, a network failure without a status', async () => {
    const calls: unknown[] = [];
    agent.get(VBS).intercept({ path: PATH, method: 'GET' }).replyWithError(new Error('connection reset'));
    reply(200, { ok: true });
    const observed = createHttpCore({
      dispatcher: agent,
      retry: resolveRetryPolicy({}),
      responseTimeoutMs: 30_000,
      clock,
      random: () => 0.5,
      logger,
      onCall: (call) => calls.push(call),
    });
    await observed.call({ method: 'GET', url, schema });
    expect(calls).toEqual([
      { method: 'GET', path: PATH, status: undefined, durationMs: 0 },
      { method: 'GET', path: PATH, status: 200, durationMs: 0 },
    ]);
  });
});

describe('error bodies', () => {
  const call = () => core({ maxAttempts: 1 }).call({ method: 'GET', url, schema });

  it('reads a VBS error body (docs example) into otcCode and otcMessage', async () => {
    reply(400, readFixture('vbs_error_response.docs.json'));
    expect(await failure(call())).toMatchObject({ code: 'OTC_HTTP', status: 400, otcCode: 'XXXX', otcMessage: 'XXX' });
  });

  it('reads an IAM error body whose code is a number', async () => {
    reply(400, { error: { code: 400, message: 'The request is invalid.', title: 'Bad Request' } });
    expect(await failure(call())).toMatchObject({ otcCode: '400', otcMessage: 'The request is invalid.' });
  });

  it('reads a Cinder-style EVS error body (docs example)', async () => {
    reply(400, readFixture('evs_error_badrequest.docs.json'));
    expect(await failure(call())).toMatchObject({ otcCode: 'XXX', otcMessage: 'XXXX' });
  });

  it('falls back to the Cinder error kind when the body names no code', async () => {
    reply(404, { itemNotFound: { message: 'Volume could not be found.' } });
    expect(await failure(call())).toMatchObject({ status: 404, otcCode: 'itemNotFound' });
  });

  it('reads a CBR / API gateway error body (docs example)', async () => {
    reply(400, readFixture('cbr_error_response.docs.json'));
    expect(await failure(call())).toMatchObject({
      otcCode: 'BackupService.9900',
      otcMessage: 'Invalid vault_id provided.',
    });
  });

  it('keeps otcCode undefined for a body it cannot read', async () => {
    reply(502, '<html>Bad gateway</html>');
    const error = await failure(call());
    expect(error).toMatchObject({ status: 502, otcCode: undefined, otcMessage: undefined });
    expect((error as Error).message).toContain('HTTP 502');
  });

  it('takes the first request id header present, in the documented order', async () => {
    reply(400, '{}', { 'x-compute-request-id': 'compute-1', 'x-openstack-request-id': 'openstack-1' });
    expect(await failure(call())).toMatchObject({ otcRequestId: 'openstack-1' });
  });
});

describe('response validation', () => {
  it('rejects a 2xx body of the wrong shape with issue paths, distinct from OtcHttpError', async () => {
    reply(200, { ok: 'yes-secret-value' });
    const error = await failure(core().call({ method: 'GET', url, schema }));
    expect(error).toBeInstanceOf(OtcResponseShapeError);
    expect(error).not.toBeInstanceOf(OtcHttpError);
    expect(error).toMatchObject({
      code: 'OTC_RESPONSE_SHAPE',
      status: 200,
      attempts: 1,
      issues: ['ok: invalid_type (expected boolean)'],
    });
    expect(JSON.stringify(error)).not.toContain('yes-secret-value');
  });

  it('rejects a 2xx body that is not JSON', async () => {
    reply(200, 'not json at all');
    expect(await failure(core().call({ method: 'GET', url, schema }))).toMatchObject({ issues: ['(root): not JSON'] });
  });
});
