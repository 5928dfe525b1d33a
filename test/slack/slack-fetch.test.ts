import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, WebClient } from '@slack/web-api';
import nock from 'nock';
import { createMemoryLogger } from '../../src/log/logger';
import type { SlackCall } from '../../src/slack/slack-fetch';
import { createHttpTransport, createSlackFetch } from '../../src/slack/slack-fetch';
import { waitFor } from '../../src/demo/wait';
import { createProxyDispatcher } from '../../src/net/proxy-dispatcher';
import { startConnectProxy } from '../helpers/connect-proxy';

/** A Slack Web API stand-in: answers per method from a table. */
const ANSWERS: Record<string, [number, string]> = {
  'auth.test': [200, '{"ok":true}'],
  'chat.postMessage': [200, '{"ok":false,"error":"channel_not_found"}'],
  'chat.update': [200, '{"ok":true,"ts":"1.2"}'],
  'users.info': [429, '{"ok":false,"error":"ratelimited"}'],
  'pretty.error': [200, '{\n  "ok" : false,\n  "error": "not_in_channel"\n}'],
  'pretty.ok': [200, '{\n  "ok": true,\n  "note": "\\"ok\\": false is only text here"\n}'],
};

describe('the fetch every Slack call goes through', () => {
  let server: Server;
  let apiUrl: string;
  /** Connections the server accepted, and how many of them have closed. */
  let opened: number;
  let closed: number;
  /** Resolves once the server has a request it will not answer. */
  let heard: Promise<void>;
  let hear: () => void;
  beforeEach(async () => {
    heard = new Promise((resolve) => (hear = resolve));
    server = createServer((req, res) => {
      const method = (req.url ?? '').replace('/api/', '');
      if (method === 'cut') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.write('{"ok":tr');
        setTimeout(() => res.destroy(), 20);
        return;
      }
      if (method === 'silent') {
        hear(); // never answers
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (method === 'echo') {
          const echo = JSON.stringify({
            type: req.headers['content-type'],
            body: Buffer.concat(chunks).toString(),
            authorization: req.headers['authorization'],
            accept: req.headers['accept'],
          });
          res.writeHead(200, { 'content-type': 'application/json' }).end(echo);
          return;
        }
        const [status, body] = ANSWERS[method] ?? [404, ''];
        res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' }).end(body);
      });
    });
    opened = 0;
    closed = 0;
    server.on('connection', (socket) => {
      opened += 1;
      socket.on('close', () => (closed += 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The Slack fetch on a clock that stands still, reporting each call into `calls`. */
  const recordingFetch = (
    calls: SlackCall[],
    logger = createMemoryLogger('error'),
  ): ReturnType<typeof createSlackFetch> =>
    createSlackFetch({ clock: { now: () => 0 }, logger, onCall: (c) => calls.push(c) });

  function client(calls: SlackCall[], logger = createMemoryLogger('debug')): WebClient {
    const fetch = recordingFetch(calls, logger);
    return new WebClient('xoxb-secret-token', {
      slackApiUrl: apiUrl,
      fetch,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  }

  it('reports each call with its method and Slack error, and the WebClient still reads the answer', async () => {
    const calls: SlackCall[] = [];
    const web = client(calls);
    await expect(web.chat.postMessage({ channel: 'C1', text: 'hi' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    expect(await web.chat.update({ channel: 'C1', ts: '1.1', text: 'hi' })).toMatchObject({ ok: true, ts: '1.2' });
    await expect(web.users.info({ user: 'U1' })).rejects.toThrow();
    expect(calls).toEqual([
      { method: 'chat.postMessage', status: 200, durationMs: 0, error: 'channel_not_found' },
      { method: 'chat.update', status: 200, durationMs: 0, error: undefined },
      { method: 'users.info', status: 429, durationMs: 0, error: 'ratelimited' },
    ]);
  });

  it('logs each call at debug with method, status and duration, never the token', async () => {
    const logger = createMemoryLogger('debug');
    await client([], logger).chat.update({ channel: 'C1', ts: '1.1', text: 'hi' });
    const lines = logger.lines.filter((l) => l.includes('"slack call"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'debug', slackMethod: 'chat.update', status: 200 });
    expect(logger.lines.join('\n')).not.toContain('xoxb-secret-token');
  });

  it('reports a call that got no answer as a network error', async () => {
    const calls: SlackCall[] = [];
    const web = client(calls);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer();
    await expect(web.chat.update({ channel: 'C1', ts: '1.1', text: 'hi' })).rejects.toThrow();
    expect(calls).toEqual([{ method: 'chat.update', status: undefined, durationMs: 0, error: 'network' }]);
    opened = 0;
    closed = 0;
    server.on('connection', (socket) => {
      opened += 1;
      socket.on('close', () => (closed += 1));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  it('reads a Slack error however the answer is spaced, and none from an answer that only quotes one', async () => {
    const calls: SlackCall[] = [];
    const fetch = recordingFetch(calls);
    await fetch(`${apiUrl}pretty.error`, { method: 'POST' });
    const ok = await fetch(`${apiUrl}pretty.ok`, { method: 'POST' });
    expect(await ok.json()).toMatchObject({ ok: true });
    expect(calls.map((c) => c.error)).toEqual(['not_in_channel', undefined]);
  });

  it('sends the headers it is given, as an object of any case, a Headers or pairs', async () => {
    const send = createHttpTransport();
    // The WebClient's type says an object of text; the other forms fetch takes go through as well.
    const sent = async (headers: ConstructorParameters<typeof Headers>[0]): Promise<unknown> =>
      (await send(`${apiUrl}echo`, { method: 'POST', headers: headers as Record<string, string>, body: 'x' })).json();
    const expected = {
      type: 'application/json; charset=utf-8',
      authorization: 'Bearer xoxb-1',
      accept: 'application/json',
    };
    expect(
      await sent({
        'Content-Type': 'application/json; charset=utf-8',
        AUTHORIZATION: 'Bearer xoxb-1',
        accept: 'application/json',
      }),
    ).toMatchObject(expected);
    expect(
      await sent(
        new Headers({
          'content-type': 'application/json; charset=utf-8',
          Authorization: 'Bearer xoxb-1',
          Accept: 'application/json',
        }),
      ),
    ).toMatchObject(expected);
    expect(
      await sent([
        ['Content-Type', 'application/json; charset=utf-8'],
        ['Authorization', 'Bearer xoxb-1'],
        ['Accept', 'application/json'],
      ]),
    ).toMatchObject(expected);
    // A FormData body's own type wins over one given in any case.
    const form = new FormData();
    form.append('channel_id', 'C1');
    const typed = (await (
      await send(`${apiUrl}echo`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: form })
    ).json()) as { type: string };
    expect(typed.type).toMatch(/^multipart\/form-data; boundary=/);
    // A value that would split the request is refused, whatever form it came in.
    await expect(sent({ Authorization: 'Bearer x\r\nX-Injected: 1' })).rejects.toThrow();
    await expect(sent([['Authorization', 'Bearer x\r\nX-Injected: 1']])).rejects.toThrow();
  });

  it('hands over every header of the answer, read when asked for', async () => {
    const answer = await createHttpTransport()(`${apiUrl}chat.update`, { method: 'POST', body: 'x' });
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(Object.fromEntries(answer.headers.entries())).toMatchObject({
      'content-type': 'application/json',
      'retry-after': '1',
    });
    expect(answer.headers).toBe(answer.headers);
  });

  it("gives the WebClient the answer's headers: the Retry-After of a 429", async () => {
    await expect(client([]).users.info({ user: 'U1' })).rejects.toMatchObject({
      code: ErrorCode.RateLimitedError,
      retryAfter: 1,
    });
  });

  it('gives up a call when its signal aborts (as the WebClient times out), reported as a network error', async () => {
    const calls: SlackCall[] = [];
    const fetch = recordingFetch(calls);
    const controller = new AbortController();
    const call = fetch(`${apiUrl}silent`, { method: 'POST', body: 'channel=C1', signal: controller.signal });
    await heard;
    controller.abort(new Error('the call timed out'));
    await expect(call).rejects.toThrow('the call timed out');
    expect(calls).toEqual([{ method: 'silent', status: undefined, durationMs: 0, error: 'network' }]);
    // An already aborted signal sends nothing.
    await expect(fetch(`${apiUrl}silent`, { method: 'POST', signal: controller.signal })).rejects.toThrow(
      'the call timed out',
    );
    server.closeAllConnections();
  });

  it('fails a call whose answer is cut short, instead of handing the WebClient half of it', async () => {
    const calls: SlackCall[] = [];
    const fetch = recordingFetch(calls);
    await expect(fetch(`${apiUrl}cut`, { method: 'POST', body: 'channel=C1' })).rejects.toThrow();
    expect(calls).toEqual([{ method: 'cut', status: undefined, durationMs: 0, error: 'network' }]);
  });

  it('sends a string body as is and a FormData body as multipart, boundary and all', async () => {
    const send = createHttpTransport();
    const plain = await send(`${apiUrl}echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'channel=C1&text=h%C3%A9',
    });
    expect(await plain.json()).toEqual({ type: 'application/x-www-form-urlencoded', body: 'channel=C1&text=h%C3%A9' });
    const form = new FormData();
    form.append('channel_id', 'C1');
    form.append('file', new Blob(['a,b\r\n1,2']), 'summary.csv');
    const answer = (await (await send(`${apiUrl}echo`, { method: 'POST', body: form })).json()) as {
      type: string;
      body: string;
    };
    const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(answer.type)?.[1];
    expect(boundary).toBeDefined();
    expect(answer.body).toContain(`--${boundary!}`);
    expect(answer.body).toContain('filename="summary.csv"');
    expect(answer.body).toContain('a,b\r\n1,2');
  });

  it('through a proxy, sends a FormData body as multipart too (a file upload behind HTTPS_PROXY)', async () => {
    const proxy = await startConnectProxy();
    try {
      const dispatcher = createProxyDispatcher({ httpProxy: proxy.url });
      const calls: SlackCall[] = [];
      const send = createSlackFetch({
        clock: { now: () => 0 },
        logger: createMemoryLogger('error'),
        dispatcher,
        onCall: (c) => calls.push(c),
      });
      const form = new FormData();
      form.append('channel_id', 'C1');
      form.append('file', new Blob(['a,b\r\n1,2']), 'summary.csv');
      const answer = (await (
        await send(`${apiUrl}echo`, { method: 'POST', headers: { authorization: 'Bearer xoxb-1' }, body: form })
      ).json()) as { type: string; body: string; authorization: string };
      const boundary = /^multipart\/form-data; boundary=(.+)$/.exec(answer.type)?.[1];
      expect(boundary).toBeDefined();
      expect(answer.body).toContain(`--${boundary!}`);
      expect(answer.body).toContain('filename="summary.csv"');
      expect(answer.body).toContain('a,b\r\n1,2');
      expect(answer.authorization).toBe('Bearer xoxb-1');
      const plain = (await (
        await send(`${apiUrl}echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'channel=C1',
        })
      ).json()) as { type: string; body: string };
      expect(plain).toMatchObject({ type: 'application/x-www-form-urlencoded', body: 'channel=C1' });
      // Both went through the proxy's tunnel, not directly.
      expect(proxy.tunnels).toContain(new URL(apiUrl).host);
      expect(calls.map((c) => c.status)).toEqual([200, 200]);
      await dispatcher?.close();
    } finally {
      await proxy.stop();
    }
    // The tunnel's connection to this test's server is closed before the next test counts its own.
    await waitFor('the tunnelled connection to close', () => (closed === opened ? true : undefined), 5000, 10);
  });

  it('keeps a connection open for the next call, and closes it once it has been idle', async () => {
    // nock hands each intercepted request a connection of its own: out of the way for this one.
    nock.restore();
    try {
      const send = createHttpTransport({ idleMs: 100 });
      const call = async (): Promise<unknown> =>
        (await send(`${apiUrl}echo`, { method: 'POST', body: 'channel=C1' })).json();
      await call();
      await call();
      expect([opened, closed]).toEqual([1, 0]);
      await waitFor('the idle connection to close', () => (closed === 1 ? true : undefined), 5000, 10);
      await call();
      expect(opened).toBe(2);
    } finally {
      nock.activate();
    }
  });
});
