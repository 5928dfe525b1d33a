import {
  ErrorCode,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import nock from 'nock';
import { createMemoryLogger } from '../../src/log/logger';
import {
  authTestProblem,
  classifySlackError,
  isWebApiCallError,
  slackErrorCode,
  slackErrorName,
} from '../../src/slack/slack-errors';

const API = 'https://slack.com';

/** The error a real WebClient rejects with when Slack answers chat.postMessage as `reply` says. */
async function failedPost(reply: (scope: nock.Interceptor) => nock.Scope): Promise<unknown> {
  const scope = reply(nock(API).post('/api/chat.postMessage'));
  const client = new WebClient('xoxb-test', {
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: createMemoryLogger('error'),
  });
  const error = await client.chat.postMessage({ channel: 'C1', text: 'hi' }).then(
    () => new Error('expected chat.postMessage to fail'),
    (e: unknown) => e,
  );
  scope.done();
  return error;
}

afterEach(() => nock.cleanAll());

describe('Slack Web API failures from a real WebClient', () => {
  it("names a platform error by Slack's error string and gives up on one that cannot heal", async () => {
    const error = await failedPost((i) => i.reply(200, { ok: false, error: 'channel_not_found' }));
    expect(error).toBeInstanceOf(WebAPIPlatformError);
    expect(slackErrorName(error)).toBe('channel_not_found');
    expect(classifySlackError(error)).toEqual({ error: 'channel_not_found', retryable: false });
  });

  it.each(['restricted_action_thread_locked', 'edit_window_closed', 'msg_blocks_too_long', 'metadata_too_large'])(
    'gives up at once on %s: what the workspace forbids or the message is does not heal',
    async (code) => {
      const error = await failedPost((i) => i.reply(200, { ok: false, error: code }));
      expect(classifySlackError(error)).toEqual({ error: code, retryable: false });
    },
  );

  it('retries a platform error that is not known to be permanent', async () => {
    const error = await failedPost((i) => i.reply(200, { ok: false, error: 'internal_error' }));
    expect(classifySlackError(error)).toEqual({ error: 'internal_error', retryable: true });
  });

  it('turns a 429 Retry-After in seconds into milliseconds to wait', async () => {
    const error = await failedPost((i) => i.reply(429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '7' }));
    expect(error).toBeInstanceOf(WebAPIRateLimitedError);
    expect(classifySlackError(error)).toEqual({
      error: ErrorCode.RateLimitedError,
      retryable: true,
      retryAfterMs: 7000,
    });
  });

  it('retries a 5xx, named by the WebClient code, with no wait of its own', async () => {
    const error = await failedPost((i) => i.reply(503, 'upstream unavailable'));
    expect(error).toBeInstanceOf(WebAPIHTTPError);
    expect(classifySlackError(error)).toEqual({ error: ErrorCode.HTTPError, retryable: true });
  });

  it('retries a call that never got an answer, named by the WebClient code rather than the socket error', async () => {
    const error = await failedPost((i) =>
      i.replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
    );
    expect(error).toBeInstanceOf(WebAPIRequestError);
    expect(classifySlackError(error)).toEqual({ error: ErrorCode.RequestError, retryable: true });
  });
});

describe('slackErrorName and classifySlackError on errors built directly', () => {
  it.each([
    ['a platform error', new WebAPIPlatformError({ ok: false, error: 'not_in_channel' }), 'not_in_channel'],
    ['a rate-limit error', new WebAPIRateLimitedError(30), 'slack_webapi_rate_limited_error'],
    ['an HTTP error', new WebAPIHTTPError(502, 'Bad Gateway', {}), 'slack_webapi_http_error'],
    ['a request error', new WebAPIRequestError(new Error('fetch failed')), 'slack_webapi_request_error'],
    // web-api 7 threw plain Errors carrying the same code and data; the code is what tells them apart.
    [
      'a 7.x-style platform error',
      Object.assign(new Error('An API error occurred: is_archived'), {
        code: ErrorCode.PlatformError,
        data: { ok: false, error: 'is_archived' },
      }),
      'is_archived',
    ],
    [
      'an error with a code of its own',
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      'ECONNRESET',
    ],
    ['an error without a code', new Error('views.open timed out'), 'views.open timed out'],
    ['a thrown string', 'nope', 'nope'],
    ['a thrown null', null, 'null'],
  ])('names %s', (_label, error, name) => {
    expect(slackErrorName(error)).toBe(name);
  });

  it('reads Retry-After only from a rate-limit error', () => {
    expect(classifySlackError(new WebAPIRateLimitedError(2))).toMatchObject({ retryAfterMs: 2000 });
    const lookalike = Object.assign(new Error('busy'), { code: 'EBUSY', retryAfter: 5 });
    expect(classifySlackError(lookalike)).toEqual({ error: 'EBUSY', retryable: true });
  });

  it('treats only the four call failures as Web API call errors', () => {
    expect(isWebApiCallError(new WebAPIRateLimitedError(1))).toBe(true);
    expect(isWebApiCallError(Object.assign(new Error('x'), { code: 'slack_bolt_unknown_error' }))).toBe(false);
    expect(isWebApiCallError({ code: ErrorCode.PlatformError, data: { error: 'x' } })).toBe(false);
  });
});

describe('slackErrorCode and authTestProblem', () => {
  /** What the WebClient rejects with when its fetch failed: the fetch's error under `original`, its cause under that. */
  const fetchFailed = (): Error => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:3128'), { code: 'ECONNREFUSED' });
    return new WebAPIRequestError(new TypeError('fetch failed', { cause: refused }));
  };

  it("names what made a request fail, not only the client's words for it", () => {
    expect(slackErrorCode(fetchFailed())).toBe(
      'A request error occurred: fetch failed (connect ECONNREFUSED 10.0.0.1:3128)',
    );
    // Nothing to add when the message says it already.
    const direct = new WebAPIRequestError(
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    );
    expect(slackErrorCode(direct)).toBe('A request error occurred: connect ECONNREFUSED 127.0.0.1:9');
    expect(slackErrorCode(new WebAPIPlatformError({ ok: false, error: 'invalid_auth' }))).toBe('invalid_auth');
  });

  it('says Slack was not reached when no Slack error came back, and the token was refused when one did', () => {
    expect(authTestProblem(fetchFailed())).toMatch(
      /^Slack cannot be reached \(auth\.test: A request error occurred: fetch failed \(connect ECONNREFUSED 10\.0\.0\.1:3128\)\): check the network, HTTPS_PROXY and NO_PROXY/,
    );
    expect(authTestProblem(new WebAPIPlatformError({ ok: false, error: 'invalid_auth' }))).toMatch(
      /^Slack refused the bot token \(auth\.test: invalid_auth\): set SLACK_BOT_TOKEN/,
    );
  });
});
