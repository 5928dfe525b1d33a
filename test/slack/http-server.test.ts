import { Agent, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { signSlackRequest } from '../../src/demo/slack-driver';
import { createMemoryLogger } from '../../src/log/logger';
import { createBotHttpServer, listen, SLACK_BODY_LIMIT_BYTES, stopListening } from '../../src/slack/http-server';
import type { ReplayMemory } from '../../src/store/request-store';
import { ManualClock } from '../helpers/manual-clock';

const SECRET = 'test-signing-secret';

/** Remembers keys in a map, as the store does in a table; `broken` makes it fail as a store that is down does. */
class MemoryReplays implements Pick<ReplayMemory, 'remember'> {
  readonly keys = new Map<string, number>();
  broken = false;

  remember(key: string, expiresAt: number, now: number): Promise<boolean> {
    if (this.broken) return Promise.reject(new Error('store down'));
    const until = this.keys.get(key);
    if (until !== undefined && until > now) return Promise.resolve(false);
    this.keys.set(key, expiresAt);
    return Promise.resolve(true);
  }
}

/** What Bolt's receiver does with the body: it takes a buffered `rawBody` when there is one, else reads the stream. */
async function bodyAsBoltReadsIt(req: IncomingMessage): Promise<string> {
  const buffered = (req as IncomingMessage & { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(buffered)) return buffered.toString('utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('the HTTP face in front of Bolt', () => {
  const clock = new ManualClock();
  const logger = createMemoryLogger('debug');
  let replays: MemoryReplays;
  let bodies: string[];
  let server: Server;
  let url: string;
  let ready: { ok: boolean; body: Record<string, unknown> };
  let acks: number[];

  beforeEach(async () => {
    ready = { ok: true, body: { status: 'ok' } };
    acks = [];
    replays = new MemoryReplays();
    bodies = [];
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      void bodyAsBoltReadsIt(req).then((body) => {
        bodies.push(body);
        // The listener's work before the ack takes 40 ms on the bot's clock.
        clock.advance(40);
        res.writeHead(200).end();
      });
    };
    server = createBotHttpServer({
      clock,
      logger,
      slack: { listener, signingSecret: SECRET, replays },
      ready: () => Promise.resolve(ready),
      metrics: () => Promise.resolve({ contentType: 'text/plain; version=0.0.4', body: 'backup_bot_up 1\n' }),
      onAck: (ms) => acks.push(ms),
    });
    url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}/slack/events`;
  });
  afterEach(() => {
    const closed = stopListening(server);
    server.closeAllConnections();
    return closed;
  });

  function post(
    body: string,
    headers: Record<string, string> = {},
    timestamp = String(Math.floor(clock.now() / 1000)),
  ): Promise<Response> {
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signSlackRequest(SECRET, timestamp, body),
        ...headers,
      },
      body,
    });
  }

  it('hands a signed request and its whole body to Bolt, and answers its repeat 401 without reaching Bolt', async () => {
    const body = `command=%2Fbackup&text=${'x'.repeat(200_000)}`;
    const timestamp = String(Math.floor(clock.now() / 1000));
    expect((await post(body, {}, timestamp)).status).toBe(200);
    clock.advance(12_000);
    const again = await post(body, {}, timestamp);
    expect(again.status).toBe(401);
    expect(await again.json()).toEqual({ error: 'this signed request was already received' });
    expect(bodies).toEqual([body]);
    expect(logger.lines.some((l) => l.includes('refused a replayed Slack request'))).toBe(true);
  });

  it('refuses a captured request sent again with its timestamp written another way, which Bolt would verify', async () => {
    const body = 'command=%2Fbackup&text=associate';
    const timestamp = String(Math.floor(clock.now() / 1000));
    const signature = signSlackRequest(SECRET, timestamp, body);
    expect((await post(body, { 'x-slack-signature': signature }, timestamp)).status).toBe(200);
    for (const written of [`0${timestamp}`, `${timestamp}.0`, `+${timestamp}`, ` ${timestamp}`, '']) {
      const again = await post(body, { 'x-slack-signature': signature }, written);
      expect([written, again.status]).toEqual([written, 401]);
    }
    expect(bodies).toEqual([body]);
  });

  it('hands requests without a valid signature to Bolt (which refuses them) and remembers nothing', async () => {
    expect((await post('command=%2Fbackup', { 'x-slack-signature': `v0=${'0'.repeat(64)}` })).status).toBe(200);
    expect((await post('ssl_check=1', { 'x-slack-signature': '' })).status).toBe(200);
    expect(bodies).toEqual(['command=%2Fbackup', 'ssl_check=1']);
    expect(replays.keys.size).toBe(0);
  });

  it('hands the request to Bolt when the store cannot remember it, so the person hears why nothing happens', async () => {
    replays.broken = true;
    expect((await post('command=%2Fbackup')).status).toBe(200);
    expect(bodies).toEqual(['command=%2Fbackup']);
    expect(logger.lines.some((l) => l.includes('could not remember a Slack request'))).toBe(true);
  });

  it('times each accepted request from receipt to its ack, and not the refused ones', async () => {
    expect((await post('command=%2Fbackup')).status).toBe(200);
    expect((await post('command=%2Fbackup', {}, String(Math.floor(clock.now() / 1000) + 3600))).status).toBe(401);
    expect(acks).toEqual([40]);
  });

  it('answers /healthz while the process runs, even when /readyz says it cannot serve', async () => {
    ready = { ok: false, body: { status: 'degraded', store: 'unavailable' } };
    const base = url.replace('/slack/events', '');
    const alive = await fetch(`${base}/healthz`);
    expect([alive.status, await alive.json()]).toEqual([200, { status: 'ok' }]);
    const notReady = await fetch(`${base}/readyz`);
    expect([notReady.status, await notReady.json()]).toEqual([503, { status: 'degraded', store: 'unavailable' }]);
    ready = { ok: true, body: { status: 'ok' } };
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('serves the metrics text with its content type, and only to GET', async () => {
    const base = url.replace('/slack/events', '');
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4');
    expect(await res.text()).toBe('backup_bot_up 1\n');
    expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('answers 413 to a body larger than Bolt would take', async () => {
    expect((await post('x'.repeat(SLACK_BODY_LIMIT_BYTES + 1))).status).toBe(413);
    expect(bodies).toEqual([]);
  });
});

describe('commands the HTTP face answers at once', () => {
  const clock = new ManualClock();
  let logger: ReturnType<typeof createMemoryLogger>;
  let replays: MemoryReplays;
  /** What the stand-in for Bolt saw, in order: a body when it got one, `acked` when it answered. */
  let seen: string[];
  /** How the stand-in answers once it has read a body; by default 200 with nothing, as the listener of /backup does. */
  let answer: (body: string, res: ServerResponse) => void;
  /** Opened by a test to let the stand-in answer; until then it holds its answer back. */
  let release: () => void;
  let server: Server;
  let url: string;
  let acks: number[];

  beforeEach(async () => {
    logger = createMemoryLogger('debug');
    replays = new MemoryReplays();
    seen = [];
    acks = [];
    const gate = new Promise<void>((resolve) => (release = resolve));
    answer = (_body, res) => {
      res.writeHead(200);
      res.end();
    };
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      void bodyAsBoltReadsIt(req).then(async (body) => {
        seen.push(body);
        await gate;
        answer(body, res);
        seen.push('acked');
      });
    };
    server = createBotHttpServer({
      clock,
      logger,
      slack: { listener, signingSecret: SECRET, replays, answersAtOnce: ['/backup'] },
      ready: () => Promise.resolve({ ok: true, body: {} }),
      metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
      onAck: (ms) => acks.push(ms),
    });
    url = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}/slack/events`;
  });
  afterEach(() => {
    release();
    const closed = stopListening(server);
    server.closeAllConnections();
    return closed;
  });

  function post(
    body: string,
    options: { timestamp?: string; signature?: string; type?: string } = {},
  ): Promise<Response> {
    const timestamp = options.timestamp ?? String(Math.floor(clock.now() / 1000));
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': options.type ?? 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': options.signature ?? signSlackRequest(SECRET, timestamp, body),
      },
      body,
    });
  }

  async function settled(): Promise<void> {
    for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
  }

  it('answers a signed /backup 200 before Bolt has acked it, and Bolt still gets the whole body', async () => {
    const body = 'command=%2Fbackup&text=associate+--policy+daily&user_id=U1';
    const res = await post(body);
    expect([res.status, await res.text()]).toEqual([200, '']);
    await settled();
    expect(seen).toEqual([body]);
    release();
    await settled();
    expect(seen).toEqual([body, 'acked']);
    expect(acks).toEqual([0]);
    expect(logger.lines.filter((l) => l.includes('answered already'))).toEqual([]);
  });

  it('leaves the answer to Bolt for an interaction, another command, a JSON event, or a type Bolt does not read as a form', async () => {
    answer = (body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echoed: body.length }));
    };
    release();
    for (const [body, type] of [
      ['payload=%7B%22type%22%3A%22view_submission%22%7D', undefined],
      ['command=%2Fother', undefined],
      ['{"type":"event_callback","command":"/backup"}', 'application/json'],
      // Bolt parses only this exact type as a form; it would read this body as JSON and refuse it.
      ['command=%2Fbackup', 'application/x-www-form-urlencoded; charset=utf-8'],
    ] as const) {
      const res = await post(body, type === undefined ? {} : { type });
      expect([res.status, await res.json()]).toEqual([200, { echoed: body.length }]);
    }
  });

  it('leaves an unsigned /backup, or one whose timestamp Bolt may no longer take, for Bolt to refuse', async () => {
    answer = (_body, res) => {
      res.writeHead(401);
      res.end();
    };
    release();
    const stale = String(Math.floor(clock.now() / 1000) - 301);
    // Close to the end of the window: Bolt, reading its own clock a moment later, may refuse it.
    const nearlyStale = String(Math.floor(clock.now() / 1000) - 295);
    expect((await post('command=%2Fbackup', { signature: `v0=${'0'.repeat(64)}` })).status).toBe(401);
    expect((await post('command=%2Fbackup', { timestamp: stale })).status).toBe(401);
    expect((await post('command=%2Fbackup&text=x', { timestamp: nearlyStale })).status).toBe(401);
    expect(seen).toEqual([
      'command=%2Fbackup',
      'acked',
      'command=%2Fbackup',
      'acked',
      'command=%2Fbackup&text=x',
      'acked',
    ]);
  });

  it('refuses a replayed /backup without handing it to Bolt', async () => {
    const timestamp = String(Math.floor(clock.now() / 1000));
    expect((await post('command=%2Fbackup', { timestamp })).status).toBe(200);
    expect((await post('command=%2Fbackup', { timestamp })).status).toBe(401);
    await settled();
    expect(seen).toEqual(['command=%2Fbackup']);
  });

  it('logs an answer of Bolt that can no longer reach Slack: a body, or another status than 200', async () => {
    answer = (body, res) => {
      if (body.includes('late')) res.writeHead(404);
      else res.writeHead(200);
      res.end(body.includes('late') ? undefined : 'a reply only the ack could have carried');
    };
    release();
    expect((await post('command=%2Fbackup&text=help')).status).toBe(200);
    expect((await post('command=%2Fbackup&text=late')).status).toBe(200);
    await settled();
    const warnings = logger.lines.filter((l) => l.includes('answered a command the bot had answered already'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('"withBody":true');
    expect(warnings[1]).toContain('"status":404');
  });
});

describe('a command answered at once that Bolt then cannot take', () => {
  it('is logged, and the bot goes on serving', async () => {
    const clock = new ManualClock();
    const logger = createMemoryLogger('debug');
    const server = createBotHttpServer({
      clock,
      logger,
      slack: {
        listener: () => {
          throw new Error('no route for this request');
        },
        signingSecret: SECRET,
        replays: new MemoryReplays(),
        answersAtOnce: ['/backup'],
      },
      ready: () => Promise.resolve({ ok: true, body: {} }),
      metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
    });
    const base = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
    try {
      const body = 'command=%2Fbackup';
      const timestamp = String(Math.floor(clock.now() / 1000));
      const res = await fetch(`${base}/slack/events`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': signSlackRequest(SECRET, timestamp, body),
        },
        body,
      });
      expect(res.status).toBe(200);
      await new Promise((resolve) => setImmediate(resolve));
      expect(logger.lines.filter((l) => l.includes('Bolt could not take a command'))).toHaveLength(1);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    } finally {
      const closed = stopListening(server);
      server.closeAllConnections();
      await closed;
    }
  });
});

/** A server whose Slack listener acks only once `release()` is called: a request under way when a stop begins. */
function gatedServer(): { server: Server; release: () => void; listening: Promise<void>; calls: () => number } {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let heard = (): void => undefined;
  const listening = new Promise<void>((resolve) => (heard = resolve));
  let calls = 0;
  const server = createBotHttpServer({
    clock: { now: () => Date.now() },
    logger: createMemoryLogger('error'),
    slack: {
      listener: (_req, res) => {
        calls += 1;
        heard();
        void gate.then(() => res.writeHead(200).end('acked'));
      },
      signingSecret: SECRET,
      replays: new MemoryReplays(),
    },
    ready: () => Promise.resolve({ ok: true, body: { status: 'ok' } }),
    metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
  });
  return { server, release, listening, calls: () => calls };
}

describe('a stop with Slack requests under way', () => {
  /** One kept-alive connection for every request, as Slack's client reuses one. */
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterAll(() => agent.destroy());

  function request(
    port: number,
    path: string,
    body?: string,
  ): Promise<{ status: number; connection: string | undefined; body: string }> {
    const clock = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> =
      body === undefined
        ? {}
        : {
            'content-type': 'application/x-www-form-urlencoded',
            'x-slack-request-timestamp': String(clock),
            'x-slack-signature': signSlackRequest(SECRET, String(clock), body),
          };
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', agent, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              connection: res.headers.connection,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('answers the one under way, then closes its connection; one sent on a kept-alive connection meanwhile is refused', async () => {
    const { server, release, listening } = gatedServer();
    const port = await listen(server, 0, '127.0.0.1');
    // A connection kept alive, then a request under way on it.
    expect((await request(port, '/healthz')).status).toBe(200);
    const underWay = request(port, '/slack/events', 'command=%2Fbackup&text=one');
    await listening;
    let closed = false;
    const closing = stopListening(server).then(() => (closed = true));
    release();
    const answered = await underWay;
    expect(answered).toMatchObject({ status: 200, body: 'acked', connection: 'close' });
    // The stop needed no closeAllConnections: the answered connection closed by itself.
    await closing;
    expect(closed).toBe(true);
  });

  it('starts no new work from a request pipelined on a connection while stopping: it is refused', async () => {
    const { server, release, listening, calls } = gatedServer();
    const port = await listen(server, 0, '127.0.0.1');
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString()));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const raw = (text: string): string => {
      const now = String(Math.floor(Date.now() / 1000));
      return (
        'POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        `X-Slack-Request-Timestamp: ${now}\r\nX-Slack-Signature: ${signSlackRequest(SECRET, now, text)}\r\n` +
        `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`
      );
    };
    socket.write(raw('command=%2Fbackup&text=one'));
    await listening;
    const closing = stopListening(server);
    socket.write(raw('command=%2Fbackup&text=two'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await ended;
    await closing;
    // The first was answered, on a connection that then closed; the second never reached Bolt.
    expect(calls()).toBe(1);
    expect(received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(received).toMatch(/\r\nConnection: close\r\n/i);
    expect(received).toContain('acked');
    expect(received).not.toMatch(/HTTP\/1\.1 200 OK[\s\S]*HTTP\/1\.1 200 OK/);
  });
});
