import { asCodedError, AuthorizationError, MultipleListenerError, UnknownError } from '@slack/bolt';
import { WebAPIPlatformError, WebAPIRequestError } from '@slack/web-api';
import { ConfigError } from '../../src/config/config-error';
import { OtcHttpError, OtcNetworkError } from '../../src/otc/errors';
import { errorCode, originalError, userSafeSentence } from '../../src/slack/error-reply';
import { StoreUnavailableError } from '../../src/store/request-store';

const site = { method: 'GET', path: '/v2/p1/backuppolicy' };

const STORE =
  'The bot cannot record requests right now, so it did not act: nothing was changed. Please try again in a few minutes.';
const cloud = (code: string) =>
  `The cloud did not answer the bot's look-up (${code}), so nothing was changed. Please try again in a minute.`;
const CONFIG = 'The bot is misconfigured; its administrators have been told in the log.';
const inside = (code?: string) =>
  `Something went wrong inside the bot${code === undefined ? '' : ` (${code})`}. If a request had started, its thread shows how it ended.`;

// What a listener throws, passed through Bolt's own asCodedError as App.handleError does before
// calling the error handler: errors with a code arrive as they are, others inside an UnknownError.
describe.each([
  ['StoreUnavailableError', new StoreUnavailableError('SQLite store unavailable (closed)'), STORE, 'STORE_UNAVAILABLE'],
  [
    'OtcHttpError naming an OTC code',
    new OtcHttpError({ site, status: 502, otcCode: 'APIGW.0202', otcMessage: 'bad gateway' }),
    cloud('APIGW.0202'),
    'OTC_HTTP',
  ],
  ['OtcHttpError without an OTC code', new OtcHttpError({ site, status: 500 }), cloud('OTC_HTTP'), 'OTC_HTTP'],
  ['OtcNetworkError', new OtcNetworkError(site, 'connection refused'), cloud('OTC_NETWORK'), 'OTC_NETWORK'],
  ['ConfigError', new ConfigError(['PORT: expected number']), CONFIG, 'CONFIG_INVALID'],
  [
    'a Web API platform error',
    new WebAPIPlatformError({ ok: false, error: 'expired_trigger_id' }),
    inside('slack_webapi_platform_error'),
    'slack_webapi_platform_error',
  ],
  [
    'an error with a Node code',
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    inside('ECONNRESET'),
    'ECONNRESET',
  ],
  ['an error without a code', new TypeError("Cannot read properties of undefined (reading 'ts')"), inside(), 'UNKNOWN'],
])('a listener throwing %s', (_label, thrown, sentence, code) => {
  const handed = asCodedError(thrown);

  it('is answered with its exact user sentence', () => {
    expect(userSafeSentence(handed)).toBe(sentence);
  });

  it(`is logged with code ${code}`, () => {
    expect(errorCode(handed)).toBe(code);
  });

  it("is logged as the error the listener threw, not as Bolt's wrapper", () => {
    expect(originalError(handed)).toBe(thrown);
  });
});

describe('Bolt wrappers', () => {
  it('looks through an UnknownError even when what it wraps has a code', () => {
    const wrapped = new UnknownError(new StoreUnavailableError('SQLite store unavailable (SQLITE_CANTOPEN)'));
    expect(userSafeSentence(wrapped)).toBe(STORE);
    expect(errorCode(wrapped)).toBe('STORE_UNAVAILABLE');
  });

  it('looks through an AuthorizationError to the failure of authorize', () => {
    const refused = new AuthorizationError(
      'Authorization of incoming event did not succeed.',
      new WebAPIPlatformError({ ok: false, error: 'invalid_auth' }),
    );
    expect(errorCode(refused)).toBe('slack_webapi_platform_error');
    expect(originalError(refused)).toBeInstanceOf(WebAPIPlatformError);
  });

  it("does not mistake a Web API request error's own `original` for Bolt's", () => {
    const failed = new WebAPIRequestError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(originalError(failed)).toBe(failed);
    expect(errorCode(failed)).toBe('slack_webapi_request_error');
    expect(userSafeSentence(failed)).toBe(inside('slack_webapi_request_error'));
  });

  it("names two failed listeners by Bolt's code", () => {
    const both = new MultipleListenerError([new Error('a'), new Error('b')]);
    expect(errorCode(both)).toBe('slack_bolt_multiple_listener_error');
    expect(userSafeSentence(both)).toBe(inside('slack_bolt_multiple_listener_error'));
  });

  it('has no code for something thrown that is not an Error', () => {
    expect(errorCode('a string')).toBe('UNKNOWN');
    expect(userSafeSentence(undefined)).toBe(inside());
  });
});
