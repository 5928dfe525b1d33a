import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { createMemoryLogger } from '../../src/log/logger';
import type { SlackCall } from '../../src/slack/slack-fetch';
import { createSlackFetch } from '../../src/slack/slack-fetch';

/** A Slack Web API stand-in: answers per method from a table. */
const ANSWERS: Record<string, [number, string]> = {
  'chat.postMessage': [200, '{"ok":false,"error":"channel_not_found"}'],
  'chat.update': [200, '{"ok":true,"ts":"1.2"}'],
  'users.info': [429, '{"ok":false,"error":"ratelimited"}'],
};

describe('the fetch every Slack call goes through', () => {
  let server: Server;
  let apiUrl: string;
  beforeEach(async () => {
    server = createServer((req, res) => {
      const [status, body] = ANSWERS[(req.url ?? '').replace('/api/', '')] ?? [404, ''];
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function client(calls: SlackCall[], logger = createMemoryLogger('debug')): WebClient {
    const fetch = createSlackFetch({ clock: { now: () => 0 }, logger, onCall: (c) => calls.push(c) });
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
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'debug', method: 'chat.update', status: 200 });
    expect(logger.lines.join('\n')).not.toContain('xoxb-secret-token');
  });

  it('reports a call that got no answer as a network error', async () => {
    const calls: SlackCall[] = [];
    const web = client(calls);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = createServer();
    await expect(web.chat.update({ channel: 'C1', ts: '1.1', text: 'hi' })).rejects.toThrow();
    expect(calls).toEqual([{ method: 'chat.update', status: undefined, durationMs: 0, error: 'network' }]);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
});
