import nock from 'nock';
import { WebClient } from '@slack/web-api';
import { createMemoryLogger } from '../../src/log/logger';
import { SYSTEM_CLOCK } from '../../src/otc/runtime';
import type { ChatCalls, ChatPosterOptions } from '../../src/slack/chat-poster';
import { createChatPoster } from '../../src/slack/chat-poster';
import { classifySlackError } from '../../src/slack/slack-errors';
import { createSlackFetch } from '../../src/slack/slack-fetch';
import { checkNockAfterEach, SLACK_API } from '../support/listener-app';

/**
 * The chat poster makes the outbox's posts and edits without the WebClient: the same request for
 * the same arguments, the same result, and errors that classify alike, for every answer Slack gives.
 * Each case sends the same call through both, the outbox's WebClient as app.ts configures it and the
 * poster, and compares.
 */

const TOKEN = 'xoxb-1-poster';
const API = `${SLACK_API}/api/`;
const TIMEOUT_MS = 300;

const POST = {
  channel: 'C0INC47110',
  text: 'Associating 2 volumes · “quotes” & <angles>',
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*bold* 100% ünïcode' } }],
  metadata: { event_type: 'backup_request', event_payload: { request_id: 'r-1', message_id: 7 } },
  unfurl_links: false,
  thread_ts: '1700000000.000100',
  reply_broadcast: false,
  icon_url: undefined,
  username: null,
};

function webClient(logger = createMemoryLogger('error')): ChatCalls {
  return new WebClient(TOKEN, {
    slackApiUrl: API,
    retryConfig: { retries: 0 },
    timeout: TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    logger,
    fetch: createSlackFetch({ clock: SYSTEM_CLOCK, logger }),
  }).chat;
}

function poster(logger = createMemoryLogger('error'), options: Partial<ChatPosterOptions> = {}): ChatCalls {
  return createChatPoster({
    token: TOKEN,
    apiUrl: API,
    fetch: createSlackFetch({ clock: SYSTEM_CLOCK, logger }),
    timeoutMs: TIMEOUT_MS,
    logger,
    ...options,
  });
}

interface Seen {
  /** The arguments as Slack reads them from a form or a JSON body: objects as their JSON text, other values as text. */
  readonly body: Record<string, string>;
  readonly raw: string;
  readonly authorization: unknown;
  readonly contentType: unknown;
}

/** A form's fields, or a JSON body's arguments written as the form writes them. */
function argumentsOf(raw: string, contentType: unknown): Record<string, string> {
  if (!String(contentType).startsWith('application/json')) return Object.fromEntries(new URLSearchParams(raw));
  return Object.fromEntries(
    Object.entries(JSON.parse(raw) as Record<string, unknown>).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}

/** Answers `method` with `reply`, noting what was sent. */
function answer(
  method: string,
  reply: (interceptor: nock.Interceptor) => nock.Scope,
): { readonly seen: Seen[]; readonly scope: nock.Scope } {
  const seen: Seen[] = [];
  const scope = reply(nock(SLACK_API).post(`/api/${method}`));
  scope.on('request', (req: { headers: Record<string, unknown> }, _interceptor: unknown, body: string) => {
    seen.push({
      body: argumentsOf(body, req.headers['content-type']),
      raw: body,
      authorization: req.headers['authorization'],
      contentType: req.headers['content-type'],
    });
  });
  return { seen, scope };
}

/** The same call through the WebClient and the poster: what each sent, and what each returned or threw. */
async function both(
  method: 'postMessage' | 'update',
  args: Record<string, unknown>,
  reply: (scope: nock.Interceptor) => nock.Scope,
): Promise<{ readonly sent: Seen[]; readonly outcomes: { ok: boolean; value: unknown }[] }> {
  const sent: Seen[] = [];
  const outcomes: { ok: boolean; value: unknown }[] = [];
  for (const chat of [webClient(), poster()]) {
    const call = answer(`chat.${method}`, reply);
    try {
      outcomes.push({ ok: true, value: await (chat[method] as (a: unknown) => Promise<unknown>)(args) });
    } catch (e) {
      outcomes.push({ ok: false, value: e });
    }
    call.scope.done();
    sent.push(...call.seen);
  }
  return { sent, outcomes };
}

describe('the chat poster against the WebClient', () => {
  checkNockAfterEach();

  it('sends the same arguments for a post, as JSON, with the bot token, and returns the same answer', async () => {
    const { sent, outcomes } = await both('postMessage', POST, (i) =>
      i.reply(200, { ok: true, channel: 'C0INC47110', ts: '1700000000.000200', message: { text: 'x' } }),
    );
    const [viaClient, viaPoster] = sent;
    expect(viaPoster?.body).toEqual(viaClient?.body);
    expect(viaPoster?.body['blocks']).toBe(JSON.stringify(POST.blocks));
    expect(viaPoster?.body).not.toHaveProperty('icon_url');
    expect(viaPoster?.body).not.toHaveProperty('username');
    expect(viaPoster?.body['unfurl_links']).toBe('false');
    expect(viaPoster?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(viaPoster?.authorization).toBe(viaClient?.authorization);
    expect(viaClient?.contentType).toBe('application/x-www-form-urlencoded');
    // Slack warns (missing_charset) about a JSON body whose type names no charset.
    expect(viaPoster?.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(viaPoster?.raw ?? '')).toEqual({
      channel: POST.channel,
      text: POST.text,
      blocks: POST.blocks,
      metadata: POST.metadata,
      unfurl_links: false,
      thread_ts: POST.thread_ts,
      reply_broadcast: false,
    });
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
    expect(outcomes[1]?.value).toMatchObject({ ok: true, channel: 'C0INC47110', ts: '1700000000.000200' });
    // The WebClient adds the token's scopes (from the answer's headers) as response_metadata; nothing reads them here.
    const { response_metadata: _scopes, ...fromClient } = outcomes[0]?.value as Record<string, unknown>;
    expect(outcomes[1]?.value).toEqual(fromClient);
  });

  it('sends the same arguments for an edit', async () => {
    const args = { channel: 'C0INC47110', ts: '1700000000.000200', text: 'Done', blocks: POST.blocks };
    const { sent, outcomes } = await both('update', args, (i) => i.reply(200, { ok: true, ts: args.ts }));
    expect(sent[1]?.body).toEqual(sent[0]?.body);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
  });

  it.each([
    [
      'a platform error that will not go away',
      (i: nock.Interceptor) => i.reply(200, { ok: false, error: 'channel_not_found' }),
    ],
    [
      'a platform error worth another try',
      (i: nock.Interceptor) => i.reply(200, { ok: false, error: 'internal_error' }),
    ],
    ['a rate limit with its Retry-After', (i: nock.Interceptor) => i.reply(429, '', { 'Retry-After': '7' })],
    ['a server error', (i: nock.Interceptor) => i.reply(503, 'unavailable')],
    [
      'an HTTP error with a JSON body',
      (i: nock.Interceptor) => i.reply(400, { ok: false, error: 'invalid_form_data' }),
    ],
    ['a dropped connection', (i: nock.Interceptor) => i.replyWithError('socket hang up')],
    [
      'no answer within the timeout',
      (i: nock.Interceptor) => i.delay(TIMEOUT_MS * 4).reply(200, { ok: true, ts: '1.2' }),
    ],
  ])('fails alike on %s', async (_what, reply) => {
    const { outcomes } = await both('postMessage', POST, reply);
    expect(outcomes.map((o) => o.ok)).toEqual([false, false]);
    const [viaClient, viaPoster] = outcomes.map((o) => o.value as Error);
    expect(classifySlackError(viaPoster)).toEqual(classifySlackError(viaClient));
    expect(viaPoster?.constructor).toBe(viaClient?.constructor);
    expect((viaPoster as { code?: unknown }).code).toBe((viaClient as { code?: unknown }).code);
  });

  it('reports Slack’s Retry-After in milliseconds, a platform error by its name, and a permanent one as such', async () => {
    const limited = await both('postMessage', POST, (i) => i.reply(429, '', { 'Retry-After': '7' }));
    expect(classifySlackError(limited.outcomes[1]?.value)).toEqual({
      error: 'slack_webapi_rate_limited_error',
      retryable: true,
      retryAfterMs: 7000,
    });
    const gone = await both('postMessage', POST, (i) => i.reply(200, { ok: false, error: 'channel_not_found' }));
    expect(classifySlackError(gone.outcomes[1]?.value)).toEqual({ error: 'channel_not_found', retryable: false });
  });

  it.each([
    [
      'a 429 without a usable Retry-After',
      (i: nock.Interceptor) => i.reply(429, 'slow down', { 'Retry-After': 'soon' }),
    ],
    ['a 200 that is not JSON', (i: nock.Interceptor) => i.reply(200, '<html>proxy error</html>')],
    ['a 200 that is JSON but no object', (i: nock.Interceptor) => i.reply(200, '[1]')],
  ])('fails on %s with an HTTP error Slack may answer better next time', async (_what, reply) => {
    const call = answer('chat.postMessage', reply);
    const error = await poster()
      .postMessage(POST as never)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    call.scope.done();
    expect(classifySlackError(error)).toEqual({ error: 'slack_webapi_http_error', retryable: true });
  });

  it('changes a call’s arguments with `prepare` before they are sent, and leaves the caller’s alone', async () => {
    const chat = poster(undefined, { prepare: (args) => ({ ...args, text: `marked · ${String(args['text'])}` }) });
    const call = answer('chat.update', (i) => i.reply(200, { ok: true, ts: '1.2' }));
    const args = { channel: 'C0INC47110', ts: '1.2', text: 'Done' };
    await chat.update(args);
    call.scope.done();
    expect(call.seen[0]?.body['text']).toBe('marked · Done');
    expect(args.text).toBe('Done');
  });

  it('takes the API URL with or without its trailing slash, as the WebClient does', async () => {
    const chat = poster(undefined, { apiUrl: `${SLACK_API}/api` });
    const call = answer('chat.update', (i) => i.reply(200, { ok: true, ts: '1.2' }));
    await chat.update({ channel: 'C0INC47110', ts: '1.2', text: 'Done' });
    call.scope.done();
  });

  it('sets no time limit for a timeout of 0, as the WebClient does', async () => {
    const chat = poster(undefined, { timeoutMs: 0 });
    const call = answer('chat.update', (i) => i.delay(50).reply(200, { ok: true, ts: '1.2' }));
    await expect(chat.update({ channel: 'C0INC47110', ts: '1.2', text: 'Done' })).resolves.toMatchObject({ ok: true });
    call.scope.done();
  });

  it('says why a call got no answer, without the token', async () => {
    const logger = createMemoryLogger('warn');
    const call = answer('chat.postMessage', (i) => i.replyWithError('connect ECONNREFUSED 10.0.0.1:443'));
    await expect(poster(logger).postMessage(POST as never)).rejects.toMatchObject({
      code: 'slack_webapi_request_error',
    });
    call.scope.done();
    const lines = logger.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'Slack call got no answer', slackMethod: 'chat.postMessage' }),
    ]);
    expect(String(lines[0]?.['failure'])).toContain('ECONNREFUSED');
    expect(logger.lines.join('\n')).not.toContain(TOKEN);
  });

  it('logs the warnings Slack adds to an answer, naming the call', async () => {
    const logger = createMemoryLogger('warn');
    const call = answer('chat.postMessage', (i) =>
      i.reply(200, { ok: true, ts: '1.2', response_metadata: { warnings: ['missing_charset'] } }),
    );
    await poster(logger).postMessage(POST as never);
    call.scope.done();
    expect(logger.lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({
        msg: 'Slack warns about a call',
        slackMethod: 'chat.postMessage',
        warning: 'missing_charset',
      }),
    ]);
  });
});
